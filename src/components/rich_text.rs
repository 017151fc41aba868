use leptos::prelude::*;

use crate::sanitize::{Node, Tag, sanitize};

/// The bank's HTML, through the allow-list in [`crate::sanitize`]: elements and text nodes
/// only, never `innerHTML`.
#[component]
pub fn RichText(html: String) -> impl IntoView {
    sanitize(&html).into_iter().map(render).collect_view()
}

fn render(node: Node) -> AnyView {
    match node {
        Node::Text(text) => text.into_any(),
        Node::Element(tag, children) => {
            let inner = children.into_iter().map(render).collect_view();
            match tag {
                Tag::B => view! { <b>{inner}</b> }.into_any(),
                Tag::Strong => view! { <strong>{inner}</strong> }.into_any(),
                Tag::I => view! { <i>{inner}</i> }.into_any(),
                Tag::Em => view! { <em>{inner}</em> }.into_any(),
                Tag::U => view! { <u>{inner}</u> }.into_any(),
                Tag::Br => view! { <br /> }.into_any(),
                Tag::P => view! { <p>{inner}</p> }.into_any(),
                Tag::Ul => view! { <ul>{inner}</ul> }.into_any(),
                Tag::Ol => view! { <ol>{inner}</ol> }.into_any(),
                Tag::Li => view! { <li>{inner}</li> }.into_any(),
            }
        }
    }
}
