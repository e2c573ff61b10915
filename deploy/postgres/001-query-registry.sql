-- OrleansLog schema, part 1: the query registry.
--
-- Orleans' AdoNet providers read the SQL they run from a table named OrleansQuery (QueryKey -> QueryText),
-- so the statements below live in the database next to the tables they touch. Every script here is
-- idempotent: `orleanslog db migrate` (and the Kubernetes migration Job) runs them all on every deploy.

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  varchar(64) NOT NULL PRIMARY KEY,
    QueryText text        NOT NULL
);

-- Which scripts were applied, with their checksum, for operators who want to know what a database holds.
CREATE TABLE IF NOT EXISTS orleanslog_schema_history
(
    script     varchar(128) NOT NULL PRIMARY KEY,
    sha256     char(64)     NOT NULL,
    applied_at timestamptz  NOT NULL DEFAULT now()
);
