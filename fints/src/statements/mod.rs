//! Bank statements as FinTS delivers them (placeholder, being written).
