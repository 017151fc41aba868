//! A small, valid PNG for the photoTAN challenge: an 8-bit grayscale mosaic derived from a
//! seed, with correct chunk CRCs and a zlib-compressed image stream.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

const CELLS: u32 = 12;
const CELL_PIXELS: u32 = 8;

/// `data:image/png;base64,…` (RFC 2397).
pub fn data_uri(seed: &[u8; 32]) -> String {
    format!("data:image/png;base64,{}", STANDARD.encode(mosaic(seed)))
}

pub fn mosaic(seed: &[u8; 32]) -> Vec<u8> {
    let size = CELLS * CELL_PIXELS;
    let mut raw = Vec::with_capacity(((size + 1) * size) as usize);
    for y in 0..size {
        raw.push(0); // filter type None
        for x in 0..size {
            let cell = (y / CELL_PIXELS) * CELLS + x / CELL_PIXELS;
            let bit = seed[(cell / 8) as usize % 32] >> (cell % 8) & 1;
            raw.push(if bit == 1 { 0x10 } else { 0xF0 });
        }
    }
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&size.to_be_bytes());
    ihdr.extend_from_slice(&size.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]); // 8 bit, grayscale, deflate, no filter, no interlace
    let mut png = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(
        &mut png,
        b"IDAT",
        &miniz_oxide::deflate::compress_to_vec_zlib(&raw, 6),
    );
    chunk(&mut png, b"IEND", &[]);
    png
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc = crc32fast::Hasher::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(&crc.finalize().to_be_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_png_is_well_formed() {
        let png = mosaic(&[7; 32]);
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let mut at = 8;
        let mut kinds = Vec::new();
        while at < png.len() {
            let len = u32::from_be_bytes(png[at..at + 4].try_into().unwrap()) as usize;
            let kind = &png[at + 4..at + 8];
            let data = &png[at + 8..at + 8 + len];
            let crc = u32::from_be_bytes(png[at + 8 + len..at + 12 + len].try_into().unwrap());
            let mut hasher = crc32fast::Hasher::new();
            hasher.update(kind);
            hasher.update(data);
            assert_eq!(hasher.finalize(), crc);
            if kind == b"IDAT" {
                let raw = miniz_oxide::inflate::decompress_to_vec_zlib(data).unwrap();
                assert_eq!(raw.len(), (96 + 1) * 96);
            }
            kinds.push(String::from_utf8(kind.to_vec()).unwrap());
            at += 12 + len;
        }
        assert_eq!(kinds, ["IHDR", "IDAT", "IEND"]);
        assert!(data_uri(&[7; 32]).starts_with("data:image/png;base64,iVBORw0KGgo"));
    }
}
