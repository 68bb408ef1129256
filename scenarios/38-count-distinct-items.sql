-- Source: https://docs.aws.amazon.com/kinesisanalytics/latest/sqlref/count-distinct-items.html
-- SQL Reference, Count Distinct Items, the exact count; as published, unchanged below.
CREATE OR REPLACE STREAM output_stream (ticker_symbol VARCHAR(4), unique_count BIGINT); 


CREATE OR REPLACE PUMP stream_pump AS 
INSERT INTO output_stream 
SELECT STREAM TICKER_SYMBOL, COUNT(distinct_stream.price) AS unique_count
  FROM (
    SELECT STREAM DISTINCT rowtime as window_time, 

      TICKER_SYMBOL,   
      CHANGE, 
      PRICE, 
      STEP((SOURCE_SQL_STREAM_001.rowtime) BY INTERVAL '5' SECOND) 

      FROM SOURCE_SQL_STREAM_001) as distinct_stream
GROUP BY TICKER_SYMBOL, 
    STEP((distinct_stream.window_time) BY INTERVAL '5' SECOND);
