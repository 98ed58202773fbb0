//! The window: eframe/egui, one fixed-size viewport.

use std::ops::Range;
use std::time::{Duration, Instant};

use eframe::egui::{
    self, scroll_area::ScrollBarVisibility, text::CharIndex, text::LayoutJob, Align, Button,
    Color32, ComboBox, FontData, FontDefinitions, FontFamily, FontId, Frame, Grid, Id, Key, Label,
    Layout, Margin, RichText, ScrollArea, Sides, Stroke, TextEdit, TextFormat, TextStyle,
    TextWrapMode, Ui, ViewportBuilder, ViewportCommand,
};
use zeroize::{Zeroize, Zeroizing};

use crate::answer::emit;
use kyso_wire::dialog::{Answer, Kind, Lang, Request, REMEMBER_CHOICES};

/// Longest countdown the window runs (a day); longer requests are clamped.
pub const MAX_TIMEOUT_SECONDS: u64 = 24 * 60 * 60;

/// Approving is ignored this long after the window first appears, so a key
/// press or click meant for another window cannot approve by accident.
const INPUT_DELAY: f64 = 0.6;

/// The approve button and the focused PIN field.
const ACCENT: Color32 = Color32::from_rgb(0x1d, 0x5f, 0xbf);

const WINDOW_SIZE: [f32; 2] = [520.0, 560.0];

/// Most characters the PIN field takes (PKCS#11 PINs are short).
const PIN_MAX_CHARS: usize = 64;

/// Liberation Serif: egui's default fonts lack precomposed Vietnamese letters.
const FONT: &[u8] = include_bytes!("../../core/fonts/LiberationSerif-Regular.ttf");

/// Shows the window for `request` and returns when it is closed; the answer
/// is written (with [`emit`]) from inside the window.
pub fn run(request: Request) -> Result<(), eframe::Error> {
    let title = match request.kind {
        Kind::Site => "Kyso site - Cho phép trang",
        _ => "Kyso PIN - Ký số",
    };
    let options = eframe::NativeOptions {
        viewport: ViewportBuilder::default()
            .with_title(title)
            .with_app_id("kyso-dialog")
            .with_inner_size(WINDOW_SIZE)
            .with_min_inner_size(WINDOW_SIZE)
            .with_max_inner_size(WINDOW_SIZE)
            .with_resizable(false)
            .with_maximize_button(false)
            .with_minimize_button(false)
            .with_active(true)
            .with_always_on_top(),
        centered: true,
        persist_window: false,
        ..Default::default()
    };
    eframe::run_native(
        "kyso-dialog",
        options,
        Box::new(move |cc| Ok(Box::new(DialogApp::new(&cc.egui_ctx, request)))),
    )
}

/// The PIN as typed. Never reallocates (so no copy is left behind in freed
/// memory) and is zeroed on drop.
struct PinBuffer(Zeroizing<String>);

impl PinBuffer {
    fn new() -> Self {
        PinBuffer(Zeroizing::new(String::with_capacity(PIN_MAX_CHARS * 4)))
    }
}

impl egui::TextBuffer for PinBuffer {
    fn is_mutable(&self) -> bool {
        true
    }

    fn as_str(&self) -> &str {
        &self.0
    }

    fn insert_text(&mut self, text: &str, char_index: CharIndex) -> usize {
        let mut at = self.byte_index_from_char_index(char_index).0;
        let mut inserted = 0;
        for c in text.chars() {
            if self.0.len() + c.len_utf8() > self.0.capacity() {
                break;
            }
            self.0.insert(at, c);
            at += c.len_utf8();
            inserted += 1;
        }
        inserted
    }

    fn delete_char_range(&mut self, char_range: Range<CharIndex>) {
        let start = self.byte_index_from_char_index(char_range.start).0;
        let end = self.byte_index_from_char_index(char_range.end).0;
        self.0.drain(start..end);
    }

    fn replace_with(&mut self, text: &str) {
        self.0.clear();
        self.insert_text(text, CharIndex(0));
    }

    fn take(&mut self) -> String {
        // Not used by a password field; never hand the PIN out.
        self.0.clear();
        String::new()
    }

    fn type_id(&self) -> std::any::TypeId {
        std::any::TypeId::of::<Self>()
    }
}

struct DialogApp {
    request: Request,
    lang: Lang,
    pin: PinBuffer,
    remember: bool,
    remember_minutes: u32,
    deadline: Instant,
    /// `egui` time of the first frame (for [`INPUT_DELAY`]).
    shown_at: Option<f64>,
    /// The answer has been written; the window is closing.
    done: bool,
}

impl DialogApp {
    fn new(ctx: &egui::Context, request: Request) -> Self {
        let mut fonts = FontDefinitions::default();
        fonts.font_data.insert(
            "liberation-serif".into(),
            std::sync::Arc::new(FontData::from_static(FONT)),
        );
        for family in [FontFamily::Proportional, FontFamily::Monospace] {
            fonts
                .families
                .entry(family)
                .or_default()
                .insert(0, "liberation-serif".into());
        }
        ctx.set_fonts(fonts);
        ctx.set_theme(egui::Theme::Light);
        ctx.all_styles_mut(|style| {
            use FontFamily::{Monospace, Proportional};
            style.text_styles = [
                (TextStyle::Small, FontId::new(12.5, Proportional)),
                (TextStyle::Body, FontId::new(15.5, Proportional)),
                (TextStyle::Button, FontId::new(16.0, Proportional)),
                (TextStyle::Heading, FontId::new(20.0, Proportional)),
                (TextStyle::Monospace, FontId::new(14.5, Monospace)),
            ]
            .into();
            style.spacing.item_spacing = egui::vec2(8.0, 6.0);
            style.spacing.button_padding = egui::vec2(14.0, 6.0);
            // A long batch must look scrollable.
            style.spacing.scroll = egui::style::ScrollStyle::solid();
        });

        let seconds = request.timeout_seconds.min(MAX_TIMEOUT_SECONDS);
        DialogApp {
            lang: request.lang,
            request,
            pin: PinBuffer::new(),
            remember: false,
            remember_minutes: REMEMBER_CHOICES[1],
            deadline: Instant::now() + Duration::from_secs(seconds),
            shown_at: None,
            done: false,
        }
    }

    fn t(&self) -> &'static Texts {
        match self.lang {
            Lang::Vi => &VI,
            Lang::En => &EN,
        }
    }

    fn pin_id() -> Id {
        Id::unique("kyso-pin")
    }

    /// Whether approving is possible now (PIN typed if one is needed, and the
    /// input delay has passed).
    fn can_approve(&self, now: f64) -> bool {
        let settled = self.shown_at.is_some_and(|t| now - t >= INPUT_DELAY);
        settled && (!self.request.needs_pin() || !self.pin.0.is_empty())
    }

    fn finish(&mut self, ctx: &egui::Context, answer: Answer) {
        if !self.done {
            emit(&answer);
            self.done = true;
            self.pin.0.zeroize();
            ctx.send_viewport_cmd(ViewportCommand::Close);
        }
    }

    fn approve(&mut self, ctx: &egui::Context) {
        let answer = if self.request.needs_pin() {
            let minutes = if self.request.allow_remember && self.remember {
                self.remember_minutes
            } else {
                0
            };
            Answer::approve(
                Some(Zeroizing::new(self.pin.0.as_str().to_owned())),
                minutes,
            )
        } else {
            Answer::approve(None, 0)
        };
        self.finish(ctx, answer);
    }

    fn countdown(&self) -> u64 {
        self.deadline
            .saturating_duration_since(Instant::now())
            .as_secs_f64()
            .ceil() as u64
    }

    // ---- drawing -------------------------------------------------------

    fn header(&mut self, ui: &mut Ui) {
        let t = self.t();
        Sides::new().show(
            ui,
            |ui| {
                ui.label(RichText::new(t.requested_by).color(ui.visuals().weak_text_color()));
            },
            |ui| {
                ui.selectable_value(&mut self.lang, Lang::En, "English");
                ui.label(RichText::new("/").weak());
                ui.selectable_value(&mut self.lang, Lang::Vi, "Tiếng Việt");
            },
        );
        let origin = split_origin(&self.request.origin);
        let visuals = ui.visuals();
        let weak = visuals.weak_text_color();
        let scheme_color = if origin.scheme == "https" {
            weak
        } else {
            visuals.error_fg_color
        };
        let mut job = LayoutJob::default();
        job.append(
            &format!("{}://", origin.scheme),
            0.0,
            TextFormat::simple(FontId::proportional(18.0), scheme_color),
        );
        let host = clean(origin.host);
        // Large, but a long host should fit on two lines.
        let host_size = if host.chars().count() <= 30 {
            30.0
        } else {
            24.0
        };
        job.append(
            &host,
            0.0,
            TextFormat::simple(FontId::proportional(host_size), visuals.strong_text_color()),
        );
        if !origin.port.is_empty() {
            job.append(
                origin.port,
                0.0,
                TextFormat::simple(FontId::proportional(22.0), weak),
            );
        }
        job.wrap.max_width = ui.available_width();
        // Wraps at the dots and dashes of a long host.
        job.wrap.break_anywhere = false;
        ui.add(Label::new(job).wrap_mode(TextWrapMode::Wrap));
    }

    fn footer(&mut self, ui: &mut Ui, now: f64) {
        let t = self.t();
        let remaining = self.countdown();
        let site = self.request.kind == Kind::Site;
        let can_approve = self.can_approve(now);
        let mut approve = false;
        let mut cancel = false;
        Sides::new().height(36.0).show(
            ui,
            |ui| {
                ui.label(
                    RichText::new(format!(
                        "{} {}:{:02}",
                        t.closes_in,
                        remaining / 60,
                        remaining % 60
                    ))
                    .color(if remaining <= 10 {
                        ui.visuals().warn_fg_color
                    } else {
                        ui.visuals().weak_text_color()
                    }),
                );
            },
            |ui| {
                let label = if site { t.allow } else { t.sign };
                let primary = Button::new(RichText::new(label).strong().color(Color32::WHITE))
                    .fill(if can_approve {
                        ACCENT
                    } else {
                        Color32::from_rgb(0x9a, 0xb2, 0xd6)
                    })
                    .min_size(egui::vec2(110.0, 34.0));
                approve = ui.add_enabled(can_approve, primary).clicked();
                let secondary = Button::new(if site { t.deny } else { t.cancel })
                    .min_size(egui::vec2(90.0, 34.0));
                cancel = ui.add(secondary).clicked();
            },
        );
        if cancel {
            self.finish(ui.ctx(), Answer::cancel());
        } else if approve {
            self.approve(ui.ctx());
        }
    }

    fn body(&mut self, ui: &mut Ui) {
        let t = self.t();
        let visuals = ui.visuals().clone();
        match self.request.kind {
            Kind::Sign => {
                let n = self.request.documents.len();
                ui.horizontal(|ui| {
                    ui.label(RichText::new((t.sign_n)(n)).heading().strong());
                    if n > 5 {
                        ui.label(RichText::new(t.scroll_all).color(visuals.weak_text_color()));
                    }
                });
                let row_height = 22.0;
                Frame::group(ui.style())
                    .inner_margin(Margin::symmetric(8, 4))
                    .show(ui, |ui| {
                        ScrollArea::vertical()
                            .max_height(row_height * 5.5)
                            .auto_shrink([false, true])
                            .scroll_bar_visibility(ScrollBarVisibility::VisibleWhenNeeded)
                            .show_rows(ui, row_height, n, |ui, rows| {
                                for i in rows {
                                    let d = &self.request.documents[i];
                                    Sides::new()
                                        .height(row_height)
                                        .shrink_left()
                                        .truncate()
                                        .show(
                                            ui,
                                            |ui| {
                                                ui.label(
                                                    RichText::new(format!("{}.", i + 1)).weak(),
                                                );
                                                ui.label(clean(&d.name))
                                                    .on_hover_text(clean(&d.name));
                                            },
                                            |ui| {
                                                ui.label(
                                                    RichText::new(group4(&clean(&d.digest)))
                                                        .monospace()
                                                        .weak(),
                                                );
                                            },
                                        );
                                }
                            });
                    });
            }
            Kind::Authenticate => {
                let host = split_origin(&self.request.origin).host;
                ui.label(
                    RichText::new(format!("{} {}", t.sign_in_to, clean(host)))
                        .heading()
                        .strong(),
                );
                ui.label(RichText::new(t.authenticate_note).color(visuals.weak_text_color()));
            }
            Kind::SignHash => {
                let warn = visuals.warn_fg_color;
                Frame::new()
                    .fill(Color32::from_rgb(0xff, 0xf3, 0xe0))
                    .stroke(Stroke::new(1.0, warn))
                    .corner_radius(4)
                    .inner_margin(Margin::symmetric(10, 8))
                    .show(ui, |ui| {
                        ui.set_width(ui.available_width());
                        ui.label(RichText::new(t.sign_hash).heading().strong().color(warn));
                        ui.label(RichText::new(t.sign_hash_note).color(warn));
                        let hash = self.request.hash.as_deref().unwrap_or_default();
                        ui.label(RichText::new(group4(&clean(hash))).monospace().strong());
                    });
            }
            Kind::Site => {
                ui.add_space(12.0);
                ui.label(RichText::new(t.site_question).size(23.0).strong());
                ui.add_space(8.0);
                Frame::group(ui.style())
                    .inner_margin(Margin::symmetric(12, 10))
                    .show(ui, |ui| {
                        ui.set_width(ui.available_width());
                        for line in t.site_notes {
                            ui.horizontal_wrapped(|ui| {
                                ui.label("•");
                                ui.label(*line);
                            });
                        }
                    });
                return;
            }
        }
        ui.add_space(6.0);
        self.certificate(ui);
        if let Some(notice) = revocation_notice(&self.request, self.t()) {
            ui.add_space(4.0);
            ui.label(RichText::new(notice).color(ui.visuals().warn_fg_color));
        }
        ui.add_space(6.0);
        self.pin_section(ui);
    }

    fn certificate(&self, ui: &mut Ui) {
        let t = self.t();
        let (Some(cert), Some(token)) = (&self.request.certificate, &self.request.token) else {
            return;
        };
        let weak = ui.visuals().weak_text_color();
        Frame::group(ui.style())
            .inner_margin(Margin::symmetric(10, 6))
            .show(ui, |ui| {
                ui.set_width(ui.available_width());
                Grid::new("certificate")
                    .num_columns(2)
                    .spacing(egui::vec2(12.0, 3.0))
                    .show(ui, |ui| {
                        ui.label(RichText::new(t.signer).color(weak));
                        ui.add(Label::new(RichText::new(clean(&cert.name)).strong()).wrap());
                        ui.end_row();
                        if !cert.identifiers.is_empty() {
                            ui.label(RichText::new(t.identifiers).color(weak));
                            let ids: Vec<String> = cert
                                .identifiers
                                .iter()
                                .map(|id| match id.split_once(':') {
                                    Some((k, v)) => format!("{k}: {v}"),
                                    None => id.clone(),
                                })
                                .map(|s| clean(&s))
                                .collect();
                            ui.add(Label::new(ids.join("  ·  ")).wrap());
                            ui.end_row();
                        }
                        ui.label(RichText::new(t.issuer).color(weak));
                        ui.add(Label::new(clean(&cert.issuer)).wrap());
                        ui.end_row();
                        ui.label(RichText::new(t.validity).color(weak));
                        ui.horizontal(|ui| {
                            ui.label(format!(
                                "{} – {}",
                                display_date(&cert.not_before),
                                display_date(&cert.not_after)
                            ));
                            let today = today();
                            let state =
                                match (date_key(&cert.not_before), date_key(&cert.not_after)) {
                                    (_, Some(end)) if today.is_some_and(|d| d > end) => {
                                        Some(t.expired)
                                    }
                                    (Some(start), _) if today.is_some_and(|d| d < start) => {
                                        Some(t.not_yet_valid)
                                    }
                                    _ => None,
                                };
                            if let Some(state) = state {
                                ui.label(RichText::new(state).color(ui.visuals().error_fg_color));
                            }
                        });
                        ui.end_row();
                        ui.label(RichText::new(t.token).color(weak));
                        ui.add(Label::new(clean(&token.label)).wrap());
                        ui.end_row();
                    });
            });
    }

    fn pin_section(&mut self, ui: &mut Ui) {
        let t = self.t();
        let error = ui.visuals().error_fg_color;
        if let Some(e) = &self.request.pin_error {
            let mut line = match e.retries_left {
                Some(n) => (t.wrong_pin_left)(n),
                None => t.wrong_pin.to_string(),
            };
            if e.count_low {
                line.push(' ');
                line.push_str(t.almost_locked);
            }
            ui.label(RichText::new(line).color(error).strong());
        }
        let pin_pad = self.request.token.as_ref().is_some_and(|t| t.pin_pad);
        if pin_pad {
            ui.label(RichText::new(t.pin_pad).strong());
            ui.label(RichText::new(t.pin_pad_note).color(ui.visuals().weak_text_color()));
            return;
        }
        if self.request.pin_remembered {
            ui.label(RichText::new(t.pin_remembered).color(ui.visuals().weak_text_color()));
            return;
        }
        let row = Layout::left_to_right(Align::Center);
        ui.allocate_ui_with_layout(egui::vec2(ui.available_width(), 38.0), row, |ui| {
            ui.label(RichText::new(t.pin).strong());
            let focused = ui.memory(|m| m.has_focus(Self::pin_id()));
            let stroke = if focused {
                Stroke::new(2.0, ACCENT)
            } else {
                Stroke::new(1.0, Color32::from_gray(150))
            };
            let response = ui.add(
                TextEdit::singleline(&mut self.pin)
                    .id(Self::pin_id())
                    .password(true)
                    .char_limit(PIN_MAX_CHARS)
                    .font(FontId::proportional(20.0))
                    .frame(
                        Frame::new()
                            .fill(Color32::WHITE)
                            .stroke(stroke)
                            .corner_radius(4)
                            .inner_margin(Margin::symmetric(8, 5)),
                    )
                    .desired_width(f32::INFINITY),
            );
            if self.shown_at.is_none() {
                response.request_focus();
            }
        });
        // The field's undo history holds copies of the text: keep none.
        if let Some(mut state) = egui::TextEdit::load_state(ui.ctx(), Self::pin_id()) {
            state.clear_undoer();
            state.store(ui.ctx(), Self::pin_id());
        }
        if self.request.allow_remember && !self.pin.0.is_empty() {
            ui.allocate_ui_with_layout(egui::vec2(ui.available_width(), 30.0), row, |ui| {
                ui.checkbox(&mut self.remember, t.remember_before);
                ComboBox::from_id_salt("remember-minutes")
                    .width(56.0)
                    .selected_text(self.remember_minutes.to_string())
                    .show_ui(ui, |ui| {
                        for m in REMEMBER_CHOICES {
                            ui.selectable_value(&mut self.remember_minutes, m, m.to_string());
                        }
                    });
                ui.label(t.remember_after);
            });
        }
    }
}

impl eframe::App for DialogApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        if self.done {
            return;
        }
        if ctx.input(|i| i.viewport().close_requested()) {
            self.finish(ctx, Answer::cancel());
            return;
        }
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            self.finish(ctx, Answer::timeout());
            return;
        }
        // Wake for the next second of the countdown (and the deadline).
        let to_next_second =
            Duration::from_nanos(u64::from(left.subsec_nanos())) + Duration::from_millis(5);
        ctx.request_repaint_after(to_next_second.min(left));
    }

    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        let now = ctx.input(|i| i.time);
        if self.shown_at.is_none() {
            ctx.send_viewport_cmd(ViewportCommand::Focus);
            // Repaint once the input delay is over, to enable the button.
            ctx.request_repaint_after(Duration::from_secs_f64(INPUT_DELAY + 0.05));
        }
        if !self.done {
            let focus = ctx.memory(|m| m.focused());
            let (enter, escape) =
                ctx.input(|i| (i.key_pressed(Key::Enter), i.key_pressed(Key::Escape)));
            // Escape or Enter in the open minutes list is for the list.
            let popup = egui::Popup::is_any_open(&ctx);
            if escape && !popup {
                self.finish(&ctx, Answer::cancel());
            } else if enter
                && !popup
                // Enter on a focused button or checkbox is for that widget.
                && (focus.is_none() || focus == Some(Self::pin_id()))
                && self.can_approve(now)
            {
                self.approve(&ctx);
            }
        }

        let header_fill = Color32::from_rgb(0xea, 0xf0, 0xf8);
        egui::Panel::top("origin")
            .frame(
                Frame::new()
                    .fill(header_fill)
                    .inner_margin(Margin::symmetric(18, 12)),
            )
            .show(ui, |ui| self.header(ui));
        egui::Panel::bottom("buttons")
            .frame(
                Frame::new()
                    .fill(ui.visuals().panel_fill)
                    .inner_margin(Margin::symmetric(18, 10)),
            )
            .show(ui, |ui| self.footer(ui, now));
        egui::CentralPanel::default()
            .frame(Frame::central_panel(ui.style()).inner_margin(Margin {
                left: 18,
                right: 18,
                top: 12,
                bottom: 6,
            }))
            .show(ui, |ui| {
                ui.with_layout(Layout::top_down(Align::Min), |ui| self.body(ui));
            });

        if self.shown_at.is_none() {
            self.shown_at = Some(now);
        }
    }
}

// ---- texts ---------------------------------------------------------------

struct Texts {
    requested_by: &'static str,
    sign_n: fn(usize) -> String,
    scroll_all: &'static str,
    sign_in_to: &'static str,
    authenticate_note: &'static str,
    sign_hash: &'static str,
    sign_hash_note: &'static str,
    site_question: &'static str,
    site_notes: &'static [&'static str],
    signer: &'static str,
    identifiers: &'static str,
    issuer: &'static str,
    validity: &'static str,
    token: &'static str,
    expired: &'static str,
    not_yet_valid: &'static str,
    revocation_unchecked: &'static str,
    pin: &'static str,
    pin_pad: &'static str,
    pin_pad_note: &'static str,
    pin_remembered: &'static str,
    wrong_pin: &'static str,
    wrong_pin_left: fn(u32) -> String,
    almost_locked: &'static str,
    remember_before: &'static str,
    remember_after: &'static str,
    sign: &'static str,
    cancel: &'static str,
    allow: &'static str,
    deny: &'static str,
    closes_in: &'static str,
}

static VI: Texts = Texts {
    requested_by: "Trang web yêu cầu",
    sign_n: |n| format!("Ký số {n} tài liệu"),
    scroll_all: "(cuộn để xem hết)",
    sign_in_to: "Đăng nhập vào",
    authenticate_note: "Trang web yêu cầu xác nhận bạn là người giữ chứng thư số dưới đây.",
    sign_hash: "Ký giá trị băm",
    sign_hash_note:
        "Trang web chỉ gửi giá trị băm: Kyso không thể cho bạn xem nội dung sẽ được ký. \
                     Chỉ đồng ý nếu bạn tin tưởng trang này.",
    site_question: "Cho phép trang này sử dụng thiết bị ký số?",
    site_notes: &[
        "Trang này sẽ có thể yêu cầu ký số bằng thiết bị của bạn.",
        "Mỗi lần ký, Kyso vẫn hỏi lại bạn và yêu cầu mã PIN.",
        "Chỉ cho phép những trang bạn tin tưởng: kiểm tra kỹ địa chỉ ở trên.",
    ],
    signer: "Người ký",
    identifiers: "Mã định danh",
    issuer: "Cấp bởi",
    validity: "Hiệu lực",
    token: "Thiết bị",
    expired: "(đã hết hạn)",
    not_yet_valid: "(chưa có hiệu lực)",
    revocation_unchecked: "Chưa kiểm tra được chứng thư số có bị thu hồi hay không \
                           (không có phản hồi OCSP/CRL).",
    pin: "Mã PIN",
    pin_pad: "Nhập mã PIN trên thiết bị ký số",
    pin_pad_note: "Bấm “Ký số”, rồi nhập mã PIN trên bàn phím của thiết bị.",
    pin_remembered: "Kyso dùng mã PIN đã ghi nhớ.",
    wrong_pin: "Mã PIN không đúng.",
    wrong_pin_left: |n| format!("Mã PIN không đúng. Còn {n} lần thử."),
    almost_locked: "Sắp bị khóa!",
    remember_before: "Nhớ mã PIN trong",
    remember_after: "phút",
    sign: "Ký số",
    cancel: "Hủy",
    allow: "Cho phép",
    deny: "Từ chối",
    closes_in: "Tự động đóng sau",
};

static EN: Texts = Texts {
    requested_by: "Requested by",
    sign_n: |n| {
        if n == 1 {
            "Sign 1 document".into()
        } else {
            format!("Sign {n} documents")
        }
    },
    scroll_all: "(scroll to see all)",
    sign_in_to: "Sign in to",
    authenticate_note: "The site asks you to prove that you hold the certificate below.",
    sign_hash: "Sign a hash",
    sign_hash_note: "The site sent only a hash: Kyso cannot show you what will be signed. \
                     Approve only if you trust this site.",
    site_question: "Allow this site to use your signing device?",
    site_notes: &[
        "The site will be able to ask for signatures with your device.",
        "Kyso will still ask you, with your PIN, for each signature.",
        "Allow only sites you trust: check the address above.",
    ],
    signer: "Signer",
    identifiers: "Identifiers",
    issuer: "Issued by",
    validity: "Valid",
    token: "Device",
    expired: "(expired)",
    not_yet_valid: "(not yet valid)",
    revocation_unchecked: "Could not check whether the certificate is revoked \
                           (no OCSP/CRL answer).",
    pin: "PIN",
    pin_pad: "Enter the PIN on the signing device",
    pin_pad_note: "Press “Sign”, then type the PIN on the device's keypad.",
    pin_remembered: "Kyso will use the remembered PIN.",
    wrong_pin: "Wrong PIN.",
    wrong_pin_left: |n| {
        if n == 1 {
            "Wrong PIN. 1 try left.".into()
        } else {
            format!("Wrong PIN. {n} tries left.")
        }
    },
    almost_locked: "The device will soon be locked!",
    remember_before: "Remember the PIN for",
    remember_after: "minutes",
    sign: "Sign",
    cancel: "Cancel",
    allow: "Allow",
    deny: "Deny",
    closes_in: "Closes in",
};

// ---- helpers -------------------------------------------------------------

/// The line under the certificate when the agent could not learn whether it
/// is revoked.
fn revocation_notice(request: &Request, t: &Texts) -> Option<&'static str> {
    request
        .revocation_unchecked
        .then_some(t.revocation_unchecked)
}

struct OriginParts<'a> {
    scheme: &'a str,
    host: &'a str,
    /// `:port` or empty.
    port: &'a str,
}

/// Splits `scheme://host[:port]` (IPv6 hosts in brackets).
fn split_origin(origin: &str) -> OriginParts<'_> {
    let (scheme, rest) = origin.split_once("://").unwrap_or(("", origin));
    let split = if rest.starts_with('[') {
        rest.find(']').map(|i| i + 1)
    } else {
        rest.rfind(':')
    };
    let (host, port) = match split {
        Some(i) if rest[i..].starts_with(':') => rest.split_at(i),
        _ => (rest, ""),
    };
    OriginParts { scheme, host, port }
}

/// Text from the page, made safe to show: control, bidirectional and
/// invisible formatting characters (which can disguise a name, e.g.
/// `fdp.exe` shown as `exe.pdf`) become visible `[U+XXXX]` marks.
fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let hidden = c.is_control()
            || matches!(c,
                '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{FEFF}'
                | '\u{FFF9}'..='\u{FFFB}');
        if hidden {
            out.push_str(&format!("[U+{:04X}]", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// `3f2a9c1b7e0d44a1` → `3f2a 9c1b 7e0d 44a1`.
fn group4(hex: &str) -> String {
    let chars: Vec<char> = hex.chars().collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `(year, month, day)` of an RFC 3339 date-time.
fn date_parts(s: &str) -> Option<(i64, u32, u32)> {
    let b = s.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = s.get(0..4)?.parse().ok()?;
    let month = s.get(5..7)?.parse().ok()?;
    let day = s.get(8..10)?.parse().ok()?;
    ((1..=12).contains(&month) && (1..=31).contains(&day)).then_some((year, month, day))
}

/// `2027-01-01T00:00:00Z` → `01/01/2027`; anything else is shown as given.
fn display_date(s: &str) -> String {
    match date_parts(s) {
        Some((y, m, d)) => format!("{d:02}/{m:02}/{y:04}"),
        None => clean(s),
    }
}

/// A comparable day number.
fn date_key(s: &str) -> Option<i64> {
    date_parts(s).map(|(y, m, d)| y * 10_000 + i64::from(m) * 100 + i64::from(d))
}

/// Today (UTC) as a [`date_key`].
fn today() -> Option<i64> {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs();
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    Some(y * 10_000 + i64::from(m) * 100 + i64::from(d))
}

/// Days since 1970-01-01 → (year, month, day) (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use egui::TextBuffer as _;

    #[test]
    fn origins_split() {
        let o = split_origin("https://dichvucong.example.gov.vn");
        assert_eq!(
            (o.scheme, o.host, o.port),
            ("https", "dichvucong.example.gov.vn", "")
        );
        let o = split_origin("http://127.0.0.1:8080");
        assert_eq!((o.scheme, o.host, o.port), ("http", "127.0.0.1", ":8080"));
        let o = split_origin("https://[::1]:8443");
        assert_eq!((o.scheme, o.host, o.port), ("https", "[::1]", ":8443"));
        let o = split_origin("https://[::1]");
        assert_eq!((o.scheme, o.host, o.port), ("https", "[::1]", ""));
    }

    #[test]
    fn dates_show_as_dd_mm_yyyy() {
        assert_eq!(display_date("2027-01-31T00:00:00Z"), "31/01/2027");
        assert_eq!(display_date("garbage"), "garbage");
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_454), (2026, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }

    #[test]
    fn hidden_characters_are_shown() {
        assert_eq!(clean("a\u{202E}fdp.exe"), "a[U+202E]fdp.exe");
        assert_eq!(clean("tờ khai\n"), "tờ khai[U+000A]");
        assert_eq!(group4("3f2a9c1b7e0d44a1"), "3f2a 9c1b 7e0d 44a1");
    }

    #[test]
    fn an_unchecked_revocation_status_is_said_in_both_languages() {
        let mut request = Request::parse(
            br#"{"kind":"authenticate","origin":"https://a.gov.vn","timeoutSeconds":9,
                 "certificate":{"name":"A","issuer":"CA","notBefore":"2025-01-01T00:00:00Z",
                                "notAfter":"2027-01-01T00:00:00Z"},
                 "token":{"label":"T"}}"#,
        )
        .unwrap();
        assert_eq!(revocation_notice(&request, &VI), None);
        request.revocation_unchecked = true;
        let vi = revocation_notice(&request, &VI).unwrap();
        let en = revocation_notice(&request, &EN).unwrap();
        assert!(
            vi.contains("thu hồi") && en.contains("revoked"),
            "{vi} / {en}"
        );
    }

    #[test]
    fn pin_buffer_never_grows() {
        let mut pin = PinBuffer::new();
        let capacity = pin.0.capacity();
        assert_eq!(pin.insert_text("1234", CharIndex(0)), 4);
        assert_eq!(pin.insert_text("ab", CharIndex(2)), 2);
        assert_eq!(pin.as_str(), "12ab34");
        pin.delete_char_range(CharIndex(1)..CharIndex(3));
        assert_eq!(pin.as_str(), "1b34");
        let long = "9".repeat(capacity * 2);
        assert_eq!(pin.insert_text(&long, CharIndex(0)), capacity - 4);
        assert_eq!(pin.0.capacity(), capacity);
        assert!(pin.take().is_empty());
        assert!(pin.as_str().is_empty());
    }
}
