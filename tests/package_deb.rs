//! The Debian package `cargo xtask package` builds (`cargo xtask test` builds
//! it from the debug binaries before the tests run): what dpkg will install,
//! checked with dpkg-deb, and the installed agent run from the extracted tree.

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}

fn deb() -> PathBuf {
    let dir = workspace().join("target/debian");
    let mut debs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e} — run `cargo xtask package --debug`", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "deb"))
        .collect();
    debs.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
    debs.pop().unwrap_or_else(|| {
        panic!(
            "no .deb in {} — run `cargo xtask package --debug`",
            dir.display()
        )
    })
}

fn dpkg_deb(args: &[&str], deb: &Path) -> String {
    let out = Command::new("dpkg-deb")
        .args(args)
        .arg(deb)
        .output()
        .expect("dpkg-deb");
    assert!(
        out.status.success(),
        "dpkg-deb {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_package_installs_agent_config_autostart_and_trust_anchors() {
    let deb = deb();
    let fields = dpkg_deb(&["--field"], &deb);
    assert!(fields.contains("Package: kyso\n"), "{fields}");
    assert!(
        fields.contains(&format!("Version: {}\n", env!("CARGO_PKG_VERSION"))),
        "{fields}"
    );
    assert!(
        fields.contains("libxkbcommon-x11-0"),
        "the window's runtime library: {fields}"
    );
    let conffiles = Command::new("dpkg-deb")
        .arg("--info")
        .arg(&deb)
        .arg("conffiles")
        .output()
        .expect("dpkg-deb");
    let conffiles = String::from_utf8_lossy(&conffiles.stdout);
    assert!(
        conffiles.lines().any(|l| l == "/etc/kyso/agent.toml"),
        "an administrator's edits survive upgrades: {conffiles}"
    );

    let contents = dpkg_deb(&["--contents"], &deb);
    for path in [
        "./usr/bin/kyso-agent",
        "./usr/bin/kyso-dialog",
        "./usr/bin/kyso",
        "./etc/kyso/agent.toml",
        "./etc/xdg/autostart/kyso-agent.desktop",
        "./usr/share/applications/kyso-agent.desktop",
        "./usr/share/kyso/trust/vgca-rootca-g2.pem",
        "./usr/share/doc/kyso/copyright",
    ] {
        let line = contents
            .lines()
            .find(|l| l.ends_with(path))
            .unwrap_or_else(|| panic!("{path} is not in the package:\n{contents}"));
        // root-owned, and the binaries executable by everyone.
        assert!(line.contains("root/root"), "{line}");
        if path.contains("/bin/") {
            assert!(line.starts_with("-rwxr-xr-x"), "{line}");
        }
    }

    let root = std::env::temp_dir().join(format!("kyso-deb-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let out = Command::new("dpkg-deb")
        .arg("-x")
        .arg(&deb)
        .arg(&root)
        .output()
        .unwrap();
    assert!(out.status.success());

    // The installed binaries run.
    for (bin, expect) in [("kyso-agent", "kyso-agent "), ("kyso", "kyso ")] {
        let out = Command::new(root.join("usr/bin").join(bin))
            .arg("--version")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && text.starts_with(expect),
            "{bin}: {text}"
        );
    }
    // Every user's login starts the installed agent.
    let entry = std::fs::read_to_string(root.join("etc/xdg/autostart/kyso-agent.desktop")).unwrap();
    assert!(entry.contains("\nExec=/usr/bin/kyso-agent\n"), "{entry}");
    // The trust anchors are the ones kyso-core bundles.
    for f in std::fs::read_dir(workspace().join("core/trust"))
        .unwrap()
        .flatten()
    {
        let shipped = std::fs::read(root.join("usr/share/kyso/trust").join(f.file_name())).unwrap();
        assert_eq!(
            shipped,
            std::fs::read(f.path()).unwrap(),
            "{:?}",
            f.file_name()
        );
    }
    let _ = std::fs::remove_dir_all(&root);
}
