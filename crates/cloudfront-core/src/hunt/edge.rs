//! CloudFront edge locations (points of presence): where a request was
//! served.
//!
//! Why: `x-edge-location` (`IAD89-C1`, `FRA56-P1`, `DFW3`) tells which PoP
//! served a request, and the PoP is normally close to the viewer; a client
//! IP that hops between continents, or traffic for a regional site served
//! from far away, stands out once the code is a city and a coordinate.
//!
//! AWS documents that the leading three letters are "typically" the IATA
//! code of an airport near the PoP (and that the abbreviations may change).
//! The table is `data/edge_locations.tsv`, compiled for this project (see
//! its header for sources), parsed once.

use std::sync::OnceLock;

const DATA: &str = include_str!("../../../../data/edge_locations.tsv");

/// One edge-location code. `city` is the metro name AWS uses for the PoP
/// (IAD -> Ashburn), `region` one of North America, South America, Europe,
/// Asia, Oceania, Middle East, Africa; coordinates are the airport's,
/// rounded to 2 decimals (about 1 km).
#[derive(Debug, Clone, PartialEq)]
pub struct EdgeLocation {
    pub code: &'static str,
    pub airport: &'static str,
    pub city: &'static str,
    pub country: &'static str,
    pub country_code: &'static str,
    pub region: &'static str,
    pub latitude: f64,
    pub longitude: f64,
}

/// Parse the data rows; comments, blank lines, the header and malformed
/// rows are skipped (a test checks none is malformed).
fn parse(text: &'static str) -> Vec<EdgeLocation> {
    let mut rows: Vec<EdgeLocation> = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#') && !l.starts_with("code\t"))
        .filter_map(|l| {
            let f: Vec<&'static str> = l.split('\t').collect();
            let [code, airport, city, country, country_code, region, lat, lon] = f.as_slice() else {
                return None;
            };
            let latitude: f64 = lat.parse().ok()?;
            let longitude: f64 = lon.parse().ok()?;
            if code.is_empty() || !code.bytes().all(|b| b.is_ascii_uppercase()) {
                return None;
            }
            Some(EdgeLocation { code, airport, city, country, country_code, region, latitude, longitude })
        })
        .collect();
    rows.sort_by(|a, b| a.code.cmp(b.code));
    rows
}

/// All known edge locations, sorted by code.
pub fn all_edge_locations() -> &'static [EdgeLocation] {
    static TABLE: OnceLock<Vec<EdgeLocation>> = OnceLock::new();
    TABLE.get_or_init(|| parse(DATA))
}

/// Longest code accepted; real codes are 3 letters.
const MAX_CODE: usize = 4;

/// Look up an `x-edge-location` value: its leading ASCII letters,
/// uppercased, are the code (`IAD89-C1` -> IAD, `dfw3` -> DFW). Unknown
/// codes, `-`, empty input, or more than 4 leading letters give `None`.
pub fn edge_location(x_edge_location: &[u8]) -> Option<&'static EdgeLocation> {
    let mut code = [0u8; MAX_CODE];
    let mut n = 0;
    for &b in x_edge_location {
        if !b.is_ascii_alphabetic() {
            break;
        }
        *code.get_mut(n)? = b.to_ascii_uppercase();
        n += 1;
    }
    let code = code.get(..n).filter(|c| !c.is_empty())?;
    let table = all_edge_locations();
    table.binary_search_by(|e| e.code.as_bytes().cmp(code)).ok().and_then(|i| table.get(i))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups() {
        let iad = edge_location(b"IAD89-C1").unwrap();
        assert_eq!((iad.code, iad.city, iad.country_code), ("IAD", "Ashburn", "US"));
        assert_eq!(iad.region, "North America");
        // Dulles is at about 38.95 N, 77.46 W.
        assert!((iad.latitude - 38.95).abs() < 0.05 && (iad.longitude + 77.46).abs() < 0.05);

        let fra = edge_location(b"FRA56-P1").unwrap();
        assert_eq!((fra.city, fra.country_code, fra.region), ("Frankfurt", "DE", "Europe"));

        let dfw = edge_location(b"dfw3").unwrap();
        assert_eq!(dfw.city, "Dallas");

        assert_eq!(edge_location(b"NRT57-P2").unwrap().country_code, "JP");
        assert_eq!(edge_location(b"GRU3-C1").unwrap().region, "South America");
        assert_eq!(edge_location(b"SYD1").unwrap().region, "Oceania");
        assert_eq!(edge_location(b"JNB50-C1").unwrap().region, "Africa");
        assert_eq!(edge_location(b"DXB2-C1").unwrap().region, "Middle East");

        assert_eq!(edge_location(b"ZZZ1"), None);
        assert_eq!(edge_location(b"-"), None);
        assert_eq!(edge_location(b""), None);
        assert_eq!(edge_location(b"89-C1"), None);
        assert_eq!(edge_location(b"IADXYZ1"), None); // 6 letters
        assert_eq!(edge_location(&[0xff, b'I', b'A', b'D']), None);
        assert_eq!(edge_location(b"IA"), None);
    }

    #[test]
    fn table_sanity() {
        let t = all_edge_locations();
        let data_lines = DATA.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#') && !l.starts_with("code\t")).count();
        assert_eq!(t.len(), data_lines, "a data line failed to parse");
        assert!(t.len() >= 100, "{}", t.len());
        assert!(DATA.starts_with('#'));
        assert!(DATA.lines().any(|l| l == "code\tairport\tcity\tcountry\tcountry_code\tregion\tlatitude\tlongitude"));
        for w in t.windows(2) {
            assert!(w[0].code < w[1].code, "duplicate or unsorted {}", w[1].code);
        }
        let regions = ["North America", "South America", "Europe", "Asia", "Oceania", "Middle East", "Africa"];
        for e in t {
            assert_eq!(e.code.len(), 3, "{}", e.code);
            assert!((-90.0..=90.0).contains(&e.latitude), "{}", e.code);
            assert!((-180.0..=180.0).contains(&e.longitude), "{}", e.code);
            assert!(regions.contains(&e.region), "{} {}", e.code, e.region);
            assert_eq!(e.country_code.len(), 2, "{}", e.code);
            assert!(!e.city.is_empty() && !e.airport.is_empty() && !e.country.is_empty());
            // Every code resolves to itself.
            assert_eq!(edge_location(e.code.as_bytes()).map(|x| x.code), Some(e.code));
        }
        // Southern-hemisphere and western sanity: Sydney is south and east.
        let syd = edge_location(b"SYD").unwrap();
        assert!(syd.latitude < 0.0 && syd.longitude > 0.0);
    }
}
