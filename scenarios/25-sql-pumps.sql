-- Two pumps, as a KDA application's code: the rows whose price went up go
-- to an in-application stream, then a 10-second tumbling window counts them
-- per ticker.

CREATE OR REPLACE STREAM "RISING" (
    ticker VARCHAR(4),
    price  DOUBLE,
    change DOUBLE);

CREATE OR REPLACE PUMP "RISING_PUMP" AS
  INSERT INTO "RISING"
    SELECT STREAM ticker_symbol, price, change
    FROM "SOURCE_SQL_STREAM_001"
    WHERE change > 0;

CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    window_end   TIMESTAMP,
    ticker       VARCHAR(4),
    rising_count INTEGER,
    max_price    DOUBLE);

CREATE OR REPLACE PUMP "STREAM_PUMP" AS
  INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM ROWTIME, ticker, COUNT(*), MAX(price)
    FROM "RISING"
    GROUP BY ticker, STEP("RISING".ROWTIME BY INTERVAL '10' SECOND);
