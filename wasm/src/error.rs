//! Errors thrown to JavaScript: plain objects with the stable code and both
//! messages, which the SDK wraps in its `KysoError`.

use kyso_core::Localized;
use wasm_bindgen::JsValue;

pub(crate) fn to_js(e: kyso_core::Error) -> JsValue {
    object(e.code(), &e.message(), &e.message_vi())
}

#[cfg(feature = "pdf")]
pub(crate) fn pdf_to_js(e: kyso_core::pdf::PdfError) -> JsValue {
    object(e.code(), &e.message(), &e.message_vi())
}

pub(crate) fn bad_input(what: &str) -> JsValue {
    object(
        "BAD_REQUEST",
        &format!("Bad input: {what}"),
        &format!("Dữ liệu không hợp lệ: {what}"),
    )
}

pub(crate) fn internal(what: &str) -> JsValue {
    object(
        "INTERNAL_ERROR",
        &format!("Internal error: {what}"),
        &format!("Lỗi nội bộ: {what}"),
    )
}

fn object(code: &str, message: &str, message_vi: &str) -> JsValue {
    let o = js_sys::Object::new();
    // Setting a property on a fresh plain object cannot fail.
    let _ = js_sys::Reflect::set(&o, &"code".into(), &code.into());
    let _ = js_sys::Reflect::set(&o, &"message".into(), &message.into());
    let _ = js_sys::Reflect::set(&o, &"messageVi".into(), &message_vi.into());
    o.into()
}
