"""The ETL on Apache Spark: the steps that grow with the data, writing the Parquet store."""
