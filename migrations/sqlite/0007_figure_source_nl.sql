-- The people's view (issue 11): a published figure's source in Dutch, for
-- Dutch pages, beside the source as the figures file names it.
ALTER TABLE published_figures ADD COLUMN source_nl TEXT;
