-- Differential privacy: the epsilon a release spent (0 for a release
-- without noise), so that the partnership's cumulative budget is one sum.
ALTER TABLE indicator_releases ADD COLUMN epsilon REAL NOT NULL DEFAULT 0;
