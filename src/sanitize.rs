//! A strict allow-list reader for the bank's HTML challenge text.
//!
//! The result is a tree of [`Node`]s that the widget renders through Leptos as elements and
//! text nodes: no attribute survives, no markup reaches `innerHTML`. Allowed tags keep their
//! structure; unknown tags are dropped but keep their text; `script`, `style` and similar
//! lose their content too.
//!
//! ```
//! use kontolink_widget::sanitize::{sanitize, plain_text};
//! let nodes = sanitize("<b onclick=x>Betrag</b>: 1,00&nbsp;€<script>alert(1)</script>");
//! assert_eq!(plain_text(&nodes), "Betrag: 1,00\u{a0}€");
//! ```

/// The tags the widget keeps (without attributes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag {
    B,
    Strong,
    I,
    Em,
    U,
    Br,
    P,
    Ul,
    Ol,
    Li,
}

impl Tag {
    fn from_name(name: &str) -> Option<Tag> {
        Some(match name {
            "b" => Tag::B,
            "strong" => Tag::Strong,
            "i" => Tag::I,
            "em" => Tag::Em,
            "u" => Tag::U,
            "br" => Tag::Br,
            "p" => Tag::P,
            "ul" => Tag::Ul,
            "ol" => Tag::Ol,
            "li" => Tag::Li,
            _ => return None,
        })
    }
}

/// Tags whose content is dropped with them.
const DROPPED_WITH_CONTENT: [&str; 8] = [
    "script", "style", "iframe", "object", "embed", "template", "noscript", "svg",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Text(String),
    Element(Tag, Vec<Node>),
}

/// Reads `html` into allowed nodes only.
pub fn sanitize(html: &str) -> Vec<Node> {
    let mut stack: Vec<(Option<Tag>, Vec<Node>)> = vec![(None, Vec::new())];
    let mut rest = html;
    while !rest.is_empty() {
        let Some(open) = rest.find('<') else {
            push_text(&mut stack, rest);
            break;
        };
        push_text(&mut stack, &rest[..open]);
        rest = &rest[open..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |end| &after[end + 3..]);
            continue;
        }
        let Some(close) = rest.find('>') else {
            push_text(&mut stack, rest);
            break;
        };
        let inner = &rest[1..close];
        rest = &rest[close + 1..];
        let closing = inner.starts_with('/');
        let name: String = inner
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if name.is_empty() {
            push_text(&mut stack, &format!("<{inner}>"));
            continue;
        }
        if !closing && DROPPED_WITH_CONTENT.contains(&name.as_str()) {
            rest = skip_past_closing(rest, &name);
            continue;
        }
        let Some(tag) = Tag::from_name(&name) else {
            continue;
        };
        match (closing, tag) {
            (_, Tag::Br) => push_node(&mut stack, Node::Element(Tag::Br, Vec::new())),
            (false, tag) => {
                // A new item or paragraph ends the open one, as in HTML.
                let top = stack.last().and_then(|(open, _)| *open);
                if matches!(tag, Tag::Li | Tag::P) && top == Some(tag) {
                    close_top(&mut stack);
                }
                stack.push((Some(tag), Vec::new()))
            }
            (true, tag) => {
                if stack.iter().any(|(open, _)| *open == Some(tag)) {
                    while let Some(open) = close_top(&mut stack) {
                        if open == tag {
                            break;
                        }
                    }
                }
            }
        }
    }
    while close_top(&mut stack).is_some() {}
    stack.pop().map(|(_, nodes)| nodes).unwrap_or_default()
}

fn skip_past_closing<'a>(rest: &'a str, name: &str) -> &'a str {
    let lower = rest.to_ascii_lowercase();
    let needle = format!("</{name}");
    match lower.find(&needle) {
        Some(at) => rest[at..].find('>').map_or("", |end| &rest[at + end + 1..]),
        None => "",
    }
}

/// Closes the innermost open element; `None` when only the root is left.
fn close_top(stack: &mut Vec<(Option<Tag>, Vec<Node>)>) -> Option<Tag> {
    if stack.len() < 2 {
        return None;
    }
    let (tag, children) = stack.pop()?;
    let tag = tag?;
    push_node(stack, Node::Element(tag, children));
    Some(tag)
}

fn push_node(stack: &mut [(Option<Tag>, Vec<Node>)], node: Node) {
    if let Some((_, nodes)) = stack.last_mut() {
        nodes.push(node);
    }
}

fn push_text(stack: &mut [(Option<Tag>, Vec<Node>)], raw: &str) {
    if raw.is_empty() {
        return;
    }
    let text = decode_entities(raw);
    if let Some((_, nodes)) = stack.last_mut() {
        if let Some(Node::Text(previous)) = nodes.last_mut() {
            previous.push_str(&text);
        } else {
            nodes.push(Node::Text(text));
        }
    }
}

/// Decodes the named entities banks use and numeric ones; anything else stays as written.
pub fn decode_entities(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest.find(';').filter(|&end| end <= 10);
        let decoded = end.and_then(|end| entity(&rest[1..end]));
        match (end, decoded) {
            (Some(end), Some(c)) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            _ => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<char> {
    let code = if let Some(hex) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
        u32::from_str_radix(hex, 16).ok()?
    } else if let Some(decimal) = name.strip_prefix('#') {
        decimal.parse().ok()?
    } else {
        return Some(match name {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            "nbsp" => '\u{a0}',
            "euro" => '€',
            "auml" => 'ä',
            "ouml" => 'ö',
            "uuml" => 'ü',
            "Auml" => 'Ä',
            "Ouml" => 'Ö',
            "Uuml" => 'Ü',
            "szlig" => 'ß',
            _ => return None,
        });
    };
    char::from_u32(code).filter(|c| !c.is_control() || c.is_whitespace())
}

/// The text of a tree, `<br>` and block ends as line breaks (for tests and labels).
pub fn plain_text(nodes: &[Node]) -> String {
    let mut out = String::new();
    for node in nodes {
        match node {
            Node::Text(text) => out.push_str(text),
            Node::Element(Tag::Br, _) => out.push('\n'),
            Node::Element(tag, children) => {
                out.push_str(&plain_text(children));
                if matches!(tag, Tag::P | Tag::Li) {
                    out.push('\n');
                }
            }
        }
    }
    out
}

/// `data` when it is a base64 PNG, JPEG or GIF data URI (RFC 2397), the only images the
/// widget shows for a PHOTO challenge.
pub fn safe_image_data_uri(data: &str) -> Option<&str> {
    let data = data.trim();
    let payload = [
        "data:image/png;base64,",
        "data:image/jpeg;base64,",
        "data:image/gif;base64,",
    ]
    .iter()
    .find_map(|prefix| {
        data.get(..prefix.len())
            .filter(|head| head.eq_ignore_ascii_case(prefix))
            .map(|_| &data[prefix.len()..])
    })?;
    let valid = !payload.is_empty()
        && payload
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='));
    valid.then_some(data)
}
