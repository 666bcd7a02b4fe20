-- Portal sign-in looks a code up by its hash.
CREATE INDEX portal_codes_hash ON portal_codes (code_hash);
