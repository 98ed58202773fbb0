//! Waiting for menu clicks while letting the desktop deliver its events.
//!
//! On Linux the tray is a D-Bus service (StatusNotifierItem) run on threads of
//! its own, so the main thread just waits for clicks. Windows delivers tray
//! clicks as window messages to the thread that made the icon, and macOS
//! delivers them through `NSApplication` on the main thread: there the wait
//! pumps those events.

use std::time::Duration;

use tray_icon::menu::MenuEvent;

/// The desktop's event machinery, set up before the icon is made.
pub struct EventLoop {
    #[cfg(target_os = "macos")]
    app: objc2::rc::Retained<objc2_app_kit::NSApplication>,
}

impl EventLoop {
    #[cfg(not(target_os = "macos"))]
    pub fn new() -> Result<Self, String> {
        Ok(EventLoop {})
    }

    #[cfg(target_os = "macos")]
    pub fn new() -> Result<Self, String> {
        use objc2_app_kit::{NSApplication, NSApplicationActivationPolicy};
        let mtm = objc2::MainThreadMarker::new()
            .ok_or("the tray must run on the main thread on macOS")?;
        let app = NSApplication::sharedApplication(mtm);
        // A menu-bar item without a Dock icon.
        app.setActivationPolicy(NSApplicationActivationPolicy::Accessory);
        app.finishLaunching();
        Ok(EventLoop { app })
    }

    /// Waits up to `wait` for a menu click.
    #[cfg(not(any(windows, target_os = "macos")))]
    pub fn next_click(&self, wait: Duration) -> Option<MenuEvent> {
        MenuEvent::receiver().recv_timeout(wait).ok()
    }

    #[cfg(windows)]
    pub fn next_click(&self, wait: Duration) -> Option<MenuEvent> {
        use windows_sys::Win32::UI::WindowsAndMessaging::{
            DispatchMessageW, MsgWaitForMultipleObjects, PeekMessageW, TranslateMessage, MSG,
            PM_REMOVE, QS_ALLINPUT,
        };
        let millis = u32::try_from(wait.as_millis()).unwrap_or(u32::MAX);
        // SAFETY: the standard message pump of the thread that owns the
        // tray's hidden window; MSG is plain data written by PeekMessageW.
        unsafe {
            MsgWaitForMultipleObjects(0, std::ptr::null(), 0, millis, QS_ALLINPUT);
            let mut msg: MSG = std::mem::zeroed();
            while PeekMessageW(&mut msg, std::ptr::null_mut(), 0, 0, PM_REMOVE) != 0 {
                TranslateMessage(&msg);
                DispatchMessageW(&msg);
            }
        }
        MenuEvent::receiver().try_recv().ok()
    }

    #[cfg(target_os = "macos")]
    pub fn next_click(&self, wait: Duration) -> Option<MenuEvent> {
        use objc2_app_kit::NSEventMask;
        use objc2_foundation::{NSDate, NSDefaultRunLoopMode};
        let until = NSDate::dateWithTimeIntervalSinceNow(wait.as_secs_f64());
        // SAFETY: NSDefaultRunLoopMode is an immutable constant string.
        let mode = unsafe { NSDefaultRunLoopMode };
        while let Some(event) = self.app.nextEventMatchingMask_untilDate_inMode_dequeue(
            NSEventMask::Any,
            Some(&until),
            mode,
            true,
        ) {
            self.app.sendEvent(&event);
            if let Ok(click) = MenuEvent::receiver().try_recv() {
                return Some(click);
            }
        }
        MenuEvent::receiver().try_recv().ok()
    }
}
