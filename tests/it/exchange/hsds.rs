//! Issue 15: see the module of the same name in src/exchange/.
