//! A segment as data: its data elements and their components.

use super::latin1;

/// One component of a data element (group).
#[derive(Clone, PartialEq, Eq)]
pub enum Value {
    /// Text without its escape characters, as ISO-8859-1 bytes (may be empty).
    Text(Vec<u8>),
    /// `@len@` binary data.
    Binary(Vec<u8>),
}

impl Value {
    pub fn bytes(&self) -> &[u8] {
        match self {
            Value::Text(b) | Value::Binary(b) => b,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.bytes().is_empty()
    }
}

impl std::fmt::Debug for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Lengths only: a component may be a PIN, a TAN or a system id.
        match self {
            Value::Text(b) => write!(f, "text({})", b.len()),
            Value::Binary(b) => write!(f, "@{}@", b.len()),
        }
    }
}

/// A data element: one component, or several for a data element group.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Element(pub Vec<Value>);

impl Element {
    /// An element left out (`++`).
    pub fn empty() -> Element {
        Element(vec![Value::Text(Vec::new())])
    }

    pub fn text(text: impl AsRef<str>) -> Element {
        Element(vec![Value::Text(latin1::encode(text.as_ref()))])
    }

    /// A data element group from its components' texts (empty strings for left-out ones).
    pub fn group<S: AsRef<str>>(parts: impl IntoIterator<Item = S>) -> Element {
        Element(
            parts
                .into_iter()
                .map(|p| Value::Text(latin1::encode(p.as_ref())))
                .collect(),
        )
    }

    pub fn binary(bytes: impl Into<Vec<u8>>) -> Element {
        Element(vec![Value::Binary(bytes.into())])
    }

    pub fn component(&self, index: usize) -> Option<&Value> {
        self.0.get(index)
    }
}

impl std::fmt::Debug for Element {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(&self.0).finish()
    }
}

/// A segment: element 0 is the header `type:number:version[:reference]`.
#[derive(Clone, PartialEq, Eq)]
pub struct Segment {
    pub elements: Vec<Element>,
}

impl Segment {
    /// A segment with its header; add data elements with [`Segment::push`].
    pub fn new(kind: &str, number: u32, version: u32) -> Segment {
        Segment {
            elements: vec![Element::group([
                kind.to_owned(),
                number.to_string(),
                version.to_string(),
            ])],
        }
    }

    pub fn push(mut self, element: Element) -> Segment {
        self.elements.push(element);
        self
    }

    /// The segment type, e.g. `HKIDN`.
    pub fn kind(&self) -> String {
        self.text(0, 0).unwrap_or_default()
    }

    pub fn number(&self) -> u32 {
        self.number_at(0, 1).unwrap_or(0)
    }

    pub fn version(&self) -> u32 {
        self.number_at(0, 2).unwrap_or(0)
    }

    /// The number of the request segment this answer refers to (responses only).
    pub fn reference(&self) -> Option<u32> {
        self.number_at(0, 3)
    }

    /// Sets the segment number in the header.
    pub fn set_number(&mut self, number: u32) {
        if let Some(header) = self.elements.first_mut()
            && let Some(slot) = header.0.get_mut(1)
        {
            *slot = Value::Text(number.to_string().into_bytes());
        }
    }

    pub fn element(&self, index: usize) -> Option<&Element> {
        self.elements.get(index)
    }

    /// Raw bytes of component `component` of data element `element` (text or binary).
    pub fn bytes(&self, element: usize, component: usize) -> Option<&[u8]> {
        Some(self.elements.get(element)?.0.get(component)?.bytes())
    }

    /// The component as text; `None` when absent or empty.
    pub fn text(&self, element: usize, component: usize) -> Option<String> {
        self.bytes(element, component)
            .filter(|b| !b.is_empty())
            .map(latin1::decode)
    }

    pub fn number_at(&self, element: usize, component: usize) -> Option<u32> {
        self.text(element, component)?.trim().parse().ok()
    }
}

impl std::fmt::Debug for Segment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.kind(), self.number(), self.version())
    }
}
