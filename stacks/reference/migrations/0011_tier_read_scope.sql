-- What a tier's keys may read beyond their own user: with reads_all_users, any user's
-- recommendations and requests, and events for any user (a support tool, an internal service).
-- Otherwise a key reads and writes only its own user's data.
ALTER TABLE tiers ADD COLUMN reads_all_users boolean NOT NULL DEFAULT false;
