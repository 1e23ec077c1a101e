-- The content catalogue and its embeddings, written by the content pipeline.
CREATE TABLE content (
  content_id   text PRIMARY KEY,
  title        text NOT NULL,
  genres       text[] NOT NULL DEFAULT '{}',
  tags         text[] NOT NULL DEFAULT '{}',
  description  text NOT NULL DEFAULT '',
  removed      boolean NOT NULL DEFAULT false,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE embeddings (
  content_id  text PRIMARY KEY REFERENCES content (content_id) ON DELETE CASCADE,
  model       text NOT NULL,
  dims        integer NOT NULL,
  vector      real[] NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
