//! The tray icon, drawn in code: a disc in the state's colour with a white
//! "K". Drawing it keeps image files and a decoder out of the agent, and each
//! state gets a colour a user can tell apart at 16 px.

use super::model::State;

pub const SIZE: u32 = 32;

/// The disc's colour for `state`.
pub fn colour(state: State) -> [u8; 3] {
    match state {
        State::Ready => [0x2e, 0x7d, 0x32],   // green
        State::NoToken => [0x75, 0x75, 0x75], // grey
        State::Signing => [0x15, 0x65, 0xc0], // blue
        State::Error => [0xc6, 0x28, 0x28],   // red
    }
}

/// RGBA pixels, `SIZE`×`SIZE`, row by row.
pub fn rgba(state: State) -> Vec<u8> {
    let [r, g, b] = colour(state);
    let centre = SIZE as f32 / 2.0;
    let strokes = [
        ((11.0, 8.0), (11.0, 24.0)),
        ((22.0, 8.0), (12.0, 16.5)),
        ((14.5, 14.5), (22.0, 24.0)),
    ];
    let mut out = Vec::with_capacity((SIZE * SIZE * 4) as usize);
    for y in 0..SIZE {
        for x in 0..SIZE {
            let (px, py) = (x as f32 + 0.5, y as f32 + 0.5);
            let d = ((px - centre).powi(2) + (py - centre).powi(2)).sqrt();
            // One pixel of soft edge, so the disc is round at small sizes.
            let disc = (centre - 0.5 - d).clamp(0.0, 1.0);
            let ink = strokes
                .iter()
                .map(|&(a, b)| 1.9 - distance_to_segment((px, py), a, b))
                .fold(0.0f32, f32::max)
                .clamp(0.0, 1.0);
            let mix = |c: u8| (c as f32 * (1.0 - ink) + 255.0 * ink).round() as u8;
            out.extend_from_slice(&[mix(r), mix(g), mix(b), (disc * 255.0).round() as u8]);
        }
    }
    out
}

fn distance_to_segment(p: (f32, f32), a: (f32, f32), b: (f32, f32)) -> f32 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    let t = (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / len2).clamp(0.0, 1.0);
    let (cx, cy) = (a.0 + t * dx, a.1 + t * dy);
    ((p.0 - cx).powi(2) + (p.1 - cy).powi(2)).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pixel(img: &[u8], x: u32, y: u32) -> [u8; 4] {
        let i = ((y * SIZE + x) * 4) as usize;
        [img[i], img[i + 1], img[i + 2], img[i + 3]]
    }

    #[test]
    fn each_state_has_its_own_colour_and_a_white_letter() {
        let states = [State::Ready, State::NoToken, State::Signing, State::Error];
        for s in states {
            let img = rgba(s);
            assert_eq!(img.len(), (SIZE * SIZE * 4) as usize);
            // Corners are transparent, the letter's stem is white, the disc
            // right of the letter is the state's colour.
            assert_eq!(pixel(&img, 0, 0)[3], 0);
            assert_eq!(pixel(&img, 11, 16), [255, 255, 255, 255]);
            let [r, g, b] = colour(s);
            assert_eq!(pixel(&img, 26, 16), [r, g, b, 255]);
        }
        let colours: std::collections::HashSet<_> = states.iter().map(|&s| colour(s)).collect();
        assert_eq!(colours.len(), states.len());
    }
}
