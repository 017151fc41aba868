//! A small element tree over quick-xml's pull reader: local names only (namespaces and
//! prefixes dropped), attributes by local name, text with entities resolved.

use super::StatementError;
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

#[derive(Debug, Default)]
pub(super) struct Element {
    pub name: String,
    pub attributes: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<Element>,
}

impl Element {
    /// The first child of that local name.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Every child of that local name.
    pub fn children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The element at a path of local names below this one (first match at each step).
    pub fn at(&self, path: &[&str]) -> Option<&Element> {
        path.iter().try_fold(self, |e, name| e.child(name))
    }

    /// The trimmed text at a path, None if missing or empty.
    pub fn text_at(&self, path: &[&str]) -> Option<String> {
        self.at(path).and_then(|e| super::non_empty(&e.text))
    }

    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every element of that local name in this subtree (not inside a match).
    pub fn descendants<'a>(&'a self, name: &str, out: &mut Vec<&'a Element>) {
        for c in &self.children {
            if c.name == name {
                out.push(c);
            } else {
                c.descendants(name, out);
            }
        }
    }
}

fn local(qname: &str) -> String {
    qname.rsplit(':').next().unwrap_or(qname).to_string()
}

fn xml_error(reader: &Reader<&[u8]>, message: impl ToString) -> StatementError {
    StatementError::Xml {
        position: reader.error_position(),
        message: message.to_string(),
    }
}

fn open(reader: &Reader<&[u8]>, start: &BytesStart) -> Result<Element, StatementError> {
    let mut element = Element {
        name: local(start.name().as_ref()),
        ..Element::default()
    };
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|e| xml_error(reader, e))?;
        let value = attribute
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| xml_error(reader, e))?;
        element
            .attributes
            .push((local(attribute.key.as_ref()), value.into_owned()));
    }
    Ok(element)
}

/// Parses a whole document into its root element.
pub(super) fn parse(xml: &str) -> Result<Element, StatementError> {
    let mut reader = Reader::from_str(xml);
    let mut stack: Vec<Element> = vec![Element::default()];
    loop {
        let event = reader.read_event().map_err(|e| xml_error(&reader, e))?;
        match event {
            Event::Start(start) => {
                let element = open(&reader, &start)?;
                stack.push(element);
            }
            Event::Empty(start) => {
                let element = open(&reader, &start)?;
                if let Some(parent) = stack.last_mut() {
                    parent.children.push(element);
                }
            }
            Event::End(_) => {
                let element = stack.pop().filter(|_| !stack.is_empty());
                match (element, stack.last_mut()) {
                    (Some(element), Some(parent)) => parent.children.push(element),
                    _ => return Err(xml_error(&reader, "an end tag without a start tag")),
                }
            }
            Event::Text(text) => {
                if let Some(e) = stack.last_mut() {
                    e.text.push_str(&text.xml10_content());
                }
            }
            Event::CData(data) => {
                if let Some(e) = stack.last_mut() {
                    e.text.push_str(&data.xml10_content());
                }
            }
            Event::GeneralRef(reference) => {
                let name = reference.xml10_content();
                let reference = format!("&{name};");
                let resolved =
                    quick_xml::escape::unescape(&reference).map_err(|e| xml_error(&reader, e))?;
                if let Some(e) = stack.last_mut() {
                    e.text.push_str(&resolved);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if stack.len() != 1 {
        return Err(xml_error(&reader, "the document ends inside an element"));
    }
    let mut document = stack.pop().unwrap_or_default();
    document
        .children
        .pop()
        .filter(|_| document.children.is_empty())
        .ok_or_else(|| xml_error(&reader, "expected exactly one root element"))
}
