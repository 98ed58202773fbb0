//! Errors thrown to JavaScript: plain objects with the stable code and both
//! messages, which the SDK wraps in its `KysoError`.

use kyso_core::Localized;
use wasm_bindgen::JsValue;

pub(crate) fn to_js(e: kyso_core::Error) -> JsValue {
    object(e.code(), &e.message_vi(), &e.message())
}

#[cfg(feature = "pdf")]
pub(crate) fn pdf_to_js(e: kyso_core::pdf::PdfError) -> JsValue {
    object(e.code(), &e.message_vi(), &e.message())
}

pub(crate) fn bad_input(what: &str) -> JsValue {
    object(
        "BAD_REQUEST",
        &format!("Dữ liệu không hợp lệ: {what}"),
        &format!("Bad input: {what}"),
    )
}

pub(crate) fn internal(what: &str) -> JsValue {
    object(
        "INTERNAL_ERROR",
        &format!("Lỗi nội bộ: {what}"),
        &format!("Internal error: {what}"),
    )
}

/// `{code, message, messageVi}`; the messages Vietnamese first, as every
/// bilingual pair in Kyso.
fn object(code: &str, message_vi: &str, message: &str) -> JsValue {
    let o = js_sys::Object::new();
    // Setting a property on a fresh plain object cannot fail.
    let _ = js_sys::Reflect::set(&o, &"code".into(), &code.into());
    let _ = js_sys::Reflect::set(&o, &"message".into(), &message.into());
    let _ = js_sys::Reflect::set(&o, &"messageVi".into(), &message_vi.into());
    o.into()
}
