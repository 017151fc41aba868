//! Small reusable pieces of the pages.

pub mod cancel;
pub mod choice_list;
pub mod flicker_code;
pub mod heading;
pub mod notice;
pub mod rich_text;
pub mod spinner;
pub mod tan_form;
