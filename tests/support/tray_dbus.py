"""What a tray host sees of a StatusNotifierItem, over D-Bus (python3-dbus).

The tray test reads the agent's icon and menu and clicks its entries with
this, exactly as a panel does: the same properties, com.canonical.dbusmenu
GetLayout and the "clicked" Event.

Usage: tray_dbus.py BUS_ADDRESS COMMAND [ARGS]
  watcher                      exit 0 if a StatusNotifierWatcher is on the bus, 1 if not
  items                        the items registered with the watcher (JSON list)
  item SERVICE PATH            the item's properties and its whole menu (JSON)
  click SERVICE MENU_PATH ID   sends "clicked" to menu entry ID

A D-Bus error is printed on stderr, with exit status 2.
"""

import json
import sys
import time

import dbus

WATCHER = "org.kde.StatusNotifierWatcher"
ITEM = "org.kde.StatusNotifierItem"
MENU = "com.canonical.dbusmenu"
PROPERTIES = "org.freedesktop.DBus.Properties"
INTEGERS = (dbus.Byte, dbus.Int16, dbus.Int32, dbus.Int64, dbus.UInt16, dbus.UInt32, dbus.UInt64)


def plain(value):
    """A D-Bus value as plain JSON data."""
    if isinstance(value, dbus.Boolean):
        return bool(value)
    if isinstance(value, INTEGERS):
        return int(value)
    if isinstance(value, (dbus.String, dbus.ObjectPath, dbus.Signature)):
        return str(value)
    if isinstance(value, dbus.Array) and value.signature == "y":
        # Icon pixels: their length is enough to check, and far shorter.
        return len(value)
    if isinstance(value, dbus.Dictionary):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (dbus.Array, dbus.Struct, list, tuple)):
        return [plain(v) for v in value]
    return value


def entry(layout):
    """One dbusmenu layout node (id, properties, children) as a JSON object."""
    ident, properties, children = layout
    out = {str(k): plain(v) for k, v in properties.items()}
    out["id"] = int(ident)
    out["children"] = [entry(c) for c in children]
    return out


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    bus = dbus.bus.BusConnection(argv[1])
    command, args = argv[2], argv[3:]
    if command == "watcher":
        return 0 if bus.name_has_owner(WATCHER) else 1
    if command == "items":
        watcher = bus.get_object(WATCHER, "/StatusNotifierWatcher")
        items = watcher.Get(WATCHER, "RegisteredStatusNotifierItems", dbus_interface=PROPERTIES)
        print(json.dumps(plain(items)))
        return 0
    if command == "item" and len(args) == 2:
        service, path = args
        item = plain(bus.get_object(service, path).GetAll(ITEM, dbus_interface=PROPERTIES))
        menu = bus.get_object(service, item["Menu"])
        # Depth -1: the whole tree; no property names: all of them.
        revision, layout = menu.GetLayout(0, -1, dbus.Array([], signature="s"), dbus_interface=MENU)
        item["menuRevision"] = int(revision)
        item["menu"] = entry(layout)
        print(json.dumps(item, ensure_ascii=False))
        return 0
    if command == "click" and len(args) == 3:
        service, path, ident = args
        bus.get_object(service, path).Event(
            dbus.Int32(int(ident)),
            "clicked",
            dbus.Int32(0, variant_level=1),
            dbus.UInt32(int(time.time())),
            dbus_interface=MENU,
        )
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except dbus.exceptions.DBusException as e:
        print(f"{e.get_dbus_name()}: {e.get_dbus_message()}", file=sys.stderr)
        sys.exit(2)
