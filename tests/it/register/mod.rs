//! The register: the facility API, imports and exports, the staff pages, the finder, and integrity (one validation for every entry point).

mod acting;
mod api;
mod exports;
mod finder;
mod import;
mod import_page;
mod integrity;
mod opendata;
mod operator_unknown;
mod personal;
mod property;
mod register_pages;
mod uploads;
