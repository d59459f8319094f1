//! CSV export of facilities, in the columns the importer reads.

use super::columns::{export_columns, facility_cells, ExportScope};
use super::table::cell_text;
use crate::domain::facility::Facility;

pub fn write_facilities(facilities: &[Facility], scope: ExportScope) -> anyhow::Result<Vec<u8>> {
    let columns = export_columns(scope);
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(columns.iter().map(|c| c.name()))?;
    for facility in facilities {
        let cells = facility_cells(facility, &columns);
        writer.write_record(cells.iter().map(|c| cell_text(c).unwrap_or_default()))?;
    }
    Ok(writer.into_inner()?)
}
