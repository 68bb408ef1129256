-- LAG, FIRST_VALUE and LAST_VALUE over the ticks of 24-ticks.jsonl: the SQL
-- Reference's LAG example (the price one and two rows back in the ticker's
-- last minute, NULLs ignored, 0 past the window), the oldest price of the
-- ticker's last 4.5 seconds, and over the stream's last three rows (a named
-- ROWS window) the oldest ticker and the one before.

CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    ticker_symbol    VARCHAR(4),
    price            DOUBLE,
    previous_price   DOUBLE,
    previous_price_2 DOUBLE,
    first_price      DOUBLE,
    last_price       DOUBLE,
    oldest_of_3      VARCHAR(4),
    previous_ticker  VARCHAR(4));

CREATE OR REPLACE PUMP "STREAM_PUMP" AS
  INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM ticker_symbol, price,
      LAG(price, 1, 0) IGNORE NULLS OVER (
        PARTITION BY ticker_symbol RANGE INTERVAL '1' MINUTE PRECEDING),
      LAG(price, 2, 0) IGNORE NULLS OVER (
        PARTITION BY ticker_symbol RANGE INTERVAL '1' MINUTE PRECEDING),
      FIRST_VALUE(price) OVER (
        PARTITION BY ticker_symbol RANGE INTERVAL '4.5' SECOND PRECEDING),
      LAST_VALUE(price) RESPECT NULLS OVER last3,
      FIRST_VALUE(ticker_symbol) OVER last3,
      LAG(ticker_symbol, 1, '-') OVER last3
    FROM "SOURCE_SQL_STREAM_001"
    WINDOW last3 AS (ROWS 2 PRECEDING);
