//! Survey campaigns: the questionnaires (issue 14, item 3).

mod questionnaires;
