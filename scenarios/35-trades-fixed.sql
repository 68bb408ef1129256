-- Source: https://docs.aws.amazon.com/kinesisanalytics/latest/sqlref/sql-reference-windowed-aggregation-stream.html
-- SQL Reference, Windowed Aggregation on Streams, "Examples of Rowtime Bounds and Windowed
-- Aggregation"; corrected: a KDA application runs only pumps into declared streams, so the query
-- is wrapped in CREATE STREAM (ROWTIME kept in a column ROW_TIME: no stream may declare ROWTIME)
-- and CREATE PUMP, reads "SOURCE_SQL_STREAM_001" instead of Trades, and ends with a semicolon.
-- The SELECT is as published.
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    ROW_TIME     TIMESTAMP,
    TICKER       VARCHAR(4),
    AMOUNT       INTEGER,
    HOURLYVOLUME INTEGER);

CREATE OR REPLACE PUMP "STREAM_PUMP" AS
  INSERT INTO "DESTINATION_SQL_STREAM"
 SELECT STREAM ROWTIME, ticker, amount, SUM(amount)
    OVER (
        PARTITION BY ticker
        RANGE INTERVAL '1' HOUR PRECEDING)
 AS hourlyVolume
 FROM "SOURCE_SQL_STREAM_001";
