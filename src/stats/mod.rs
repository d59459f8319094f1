//! Statistics over the register's history: what opened, closed or changed
//! between two days or rounds (`changes`), and how public services spread
//! over provinces and municipalities, with the distance from each
//! municipality to the nearest service of each kind (`spread`), and the
//! trend of each service's count across the rounds (`trend`).

pub mod changes;
pub mod spread;
pub mod trend;
