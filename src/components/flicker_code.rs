//! The chipTAN flicker graphic: five bars (clock + four data bits) on a canvas, with size
//! and speed controls, and two marks above bars 1 and 5 to line the TAN generator up with.

use std::cell::Cell;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use leptos::html::Canvas;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::CanvasRenderingContext2d;

use crate::controller::Controller;
use crate::hhd::{self, Frame};

/// Width of the graphic in CSS pixels: default about 60 mm on a 96 dpi screen.
const WIDTH_DEFAULT: u32 = 240;
const WIDTH_MIN: u32 = 120;
const WIDTH_MAX: u32 = 600;
const WIDTH_STEP: u32 = 20;
/// Frames per second (one paint per frame).
const SPEED_DEFAULT: u32 = 15;
const SPEED_MIN: u32 = 2;
const SPEED_MAX: u32 = 40;
const SPEED_STEP: u32 = 2;
const WIDTH_KEY: &str = "kontolink.flicker.width";

fn saved_width() -> u32 {
    window()
        .local_storage()
        .ok()
        .flatten()
        .and_then(|s| s.get_item(WIDTH_KEY).ok().flatten())
        .and_then(|w| w.parse().ok())
        .filter(|w| (WIDTH_MIN..=WIDTH_MAX).contains(w))
        .unwrap_or(WIDTH_DEFAULT)
}

fn save_width(width: u32) {
    if let Ok(Some(storage)) = window().local_storage() {
        let _ = storage.set_item(WIDTH_KEY, &width.to_string());
    }
}

/// Paints one frame. The canvas is `width` × 0.6·`width` CSS pixels.
fn paint(canvas: &web_sys::HtmlCanvasElement, frame: &Frame, width: u32) {
    let ratio = window().device_pixel_ratio().max(1.0);
    let w = f64::from(width) * ratio;
    let h = (w * 0.6).round();
    if canvas.width() != w as u32 || canvas.height() != h as u32 {
        canvas.set_width(w as u32);
        canvas.set_height(h as u32);
    }
    let Some(ctx) = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
    else {
        return;
    };
    ctx.set_fill_style_str("#000000");
    ctx.fill_rect(0.0, 0.0, w, h);
    let margin = w * 0.04;
    let pitch = (w - 2.0 * margin) / 5.0;
    let bar = pitch * 0.78;
    let mark = h * 0.14;
    ctx.set_fill_style_str("#ffffff");
    for centre in [margin + pitch / 2.0, margin + 4.5 * pitch] {
        ctx.begin_path();
        ctx.move_to(centre - mark * 0.5, margin * 0.5);
        ctx.line_to(centre + mark * 0.5, margin * 0.5);
        ctx.line_to(centre, margin * 0.5 + mark * 0.8);
        ctx.close_path();
        ctx.fill();
    }
    let top = margin + mark;
    for (i, white) in frame.iter().enumerate() {
        let colour = if *white { "#ffffff" } else { "#000000" };
        ctx.set_fill_style_str(colour);
        let x = margin + pitch * i as f64 + (pitch - bar) / 2.0;
        ctx.fill_rect(x, top, bar, h - top - margin);
    }
}

/// The animated flicker code of an HHD challenge, or a message when `data` is none.
#[component]
pub fn FlickerCode(data: String) -> impl IntoView {
    let texts = Controller::get().texts();
    let code = match hhd::flicker_code(&data) {
        Ok(code) => code,
        Err(_) => {
            return view! {
                <p class="kl-notice" role="alert" data-testid="error-flicker">{texts.flicker_invalid}</p>
            }
            .into_any();
        }
    };
    let frames: Rc<Vec<Frame>> = Rc::new(hhd::frames(&code));
    let frame_count = frames.len();
    let width = RwSignal::new(saved_width());
    let speed = RwSignal::new(SPEED_DEFAULT);
    let canvas = NodeRef::<Canvas>::new();
    let position = Rc::new(Cell::new(0usize));
    // Send + Sync: `on_cleanup` needs it.
    let timer: Arc<Mutex<Option<IntervalHandle>>> = Arc::new(Mutex::new(None));

    let cleanup_timer = Arc::clone(&timer);
    Effect::new(move |_| {
        let fps = speed.get();
        if let Some(handle) = timer.lock().ok().and_then(|mut t| t.take()) {
            handle.clear();
        }
        let (frames, position) = (Rc::clone(&frames), Rc::clone(&position));
        let tick = move || {
            let (Some(element), Some(frame)) = (
                canvas.get_untracked(),
                frames.get(position.get() % frames.len().max(1)),
            ) else {
                return;
            };
            paint(&element, frame, width.get_untracked());
            position.set((position.get() + 1) % frames.len());
        };
        tick();
        let handle = set_interval_with_handle(tick, Duration::from_millis(u64::from(1000 / fps)));
        if let Ok(mut slot) = timer.lock() {
            *slot = handle.ok();
        }
    });
    on_cleanup(move || {
        if let Some(handle) = cleanup_timer.lock().ok().and_then(|mut t| t.take()) {
            handle.clear();
        }
    });
    let resize = move |delta: i32| {
        let next = width
            .get_untracked()
            .saturating_add_signed(delta)
            .clamp(WIDTH_MIN, WIDTH_MAX);
        width.set(next);
        save_width(next);
    };
    let respeed = move |delta: i32| {
        speed.update(|s| *s = s.saturating_add_signed(delta).clamp(SPEED_MIN, SPEED_MAX));
    };
    let step = WIDTH_STEP as i32;
    let speed_step = SPEED_STEP as i32;
    view! {
        <div class="kl-flicker">
            <p>{texts.flicker_help}</p>
            <canvas
                node_ref=canvas
                role="img"
                aria-label=texts.flicker_alt
                data-testid="flicker-canvas"
                data-code=code
                data-frames=frame_count
                data-speed=move || speed.get()
                data-width=move || width.get()
                style:width=move || format!("{}px", width.get())
                style:height=move || format!("{}px", width.get() * 3 / 5)
            ></canvas>
            <div class="kl-flicker-controls">
                <div role="group" aria-label=texts.flicker_size>
                    <span aria-hidden="true">{texts.flicker_size}</span>
                    <button type="button" class="kl-button" aria-label=texts.flicker_smaller data-testid="flicker-smaller"
                        disabled=move || { width.get() <= WIDTH_MIN } on:click=move |_| resize(-step)>"−"</button>
                    <button type="button" class="kl-button" aria-label=texts.flicker_larger data-testid="flicker-larger"
                        disabled=move || { width.get() >= WIDTH_MAX } on:click=move |_| resize(step)>"+"</button>
                </div>
                <div role="group" aria-label=texts.flicker_speed>
                    <span aria-hidden="true">{texts.flicker_speed}</span>
                    <button type="button" class="kl-button" aria-label=texts.flicker_slower data-testid="flicker-slower"
                        disabled=move || { speed.get() <= SPEED_MIN } on:click=move |_| respeed(-speed_step)>"−"</button>
                    <button type="button" class="kl-button" aria-label=texts.flicker_faster data-testid="flicker-faster"
                        disabled=move || { speed.get() >= SPEED_MAX } on:click=move |_| respeed(speed_step)>"+"</button>
                </div>
            </div>
        </div>
    }
    .into_any()
}
