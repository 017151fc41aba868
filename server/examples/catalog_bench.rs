//! How long the catalog takes to load and to search (not a test):
//! `cargo run --release -p kontolink-server --example catalog_bench`.

use std::hint::black_box;
use std::time::Instant;

use kontolink_server::catalog::Catalog;

const QUERIES: &[&str] = &[
    "",
    "Muenchen",
    "Sparkasse",
    "Deutsche Bank",
    "70150000",
    "7015",
    "SSKMDEMMXXX",
    "Volksbank Hamburg",
    "ing",
    "DE82900948150000002881",
    "xyzzy",
];
const ROUNDS: u32 = 200;

fn main() {
    let started = Instant::now();
    let catalog = Catalog::load();
    println!(
        "load: {:?} for {} providers",
        started.elapsed(),
        catalog.len()
    );

    let started = Instant::now();
    for _ in 0..ROUNDS {
        for q in QUERIES {
            black_box(catalog.search(black_box(q), Some("DE"), 20));
        }
    }
    let searches = ROUNDS * QUERIES.len() as u32;
    println!(
        "search: mean {:?} over {searches} searches",
        started.elapsed() / searches
    );
    for q in QUERIES {
        let started = Instant::now();
        let hits = catalog.search(q, Some("DE"), 20);
        let first = hits.first().map(|p| p.name.as_str()).unwrap_or("-");
        println!(
            "  {q:?}: {:?}, {} hits, first {first}",
            started.elapsed(),
            hits.len()
        );
    }
}
