-- The default anomaly thresholds are version 1 (versions start at 1, as
-- every object's do; they were 0), so thresholds the oversight body set
-- move up one: the first change made version 1, which would now read as
-- the defaults. The audit log is not rewritten: anomaly.thresholds entries
-- from before this migration count versions the old way (one less). Run
-- it with every server on the new binary: an older one still takes the
-- defaults for version 0.
UPDATE anomaly_settings SET version = version + 1;
