-- Geography: the areas the partnership predeclares for counting where its
-- clients live (never an address), and each client's area, recorded at
-- intake from that list only. '' is not recorded.

CREATE TABLE areas (
	code       TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	created_at BIGINT NOT NULL
);

ALTER TABLE clients ADD COLUMN area TEXT NOT NULL DEFAULT '';
