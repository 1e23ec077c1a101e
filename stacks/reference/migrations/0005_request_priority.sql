-- Request prioritisation by tier (an intervention): the priority the gateway queued a request
-- with, so the worker's order can be checked afterwards, and when the collector settled it.
ALTER TABLE requests ADD COLUMN priority integer NOT NULL DEFAULT 0;
ALTER TABLE requests ADD COLUMN settled_at timestamptz;
