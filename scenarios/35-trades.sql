-- Source: https://docs.aws.amazon.com/kinesisanalytics/latest/sqlref/sql-reference-windowed-aggregation-stream.html
-- SQL Reference, Windowed Aggregation on Streams, "Examples of Rowtime Bounds and Windowed Aggregation"; as published, unchanged below.
 SELECT STREAM ROWTIME, ticker, amount, SUM(amount)
    OVER (
        PARTITION BY ticker
        RANGE INTERVAL '1' HOUR PRECEDING)
 AS hourlyVolume
 FROM Trades
