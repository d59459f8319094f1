//! See [`super`]; built by issue 15.
