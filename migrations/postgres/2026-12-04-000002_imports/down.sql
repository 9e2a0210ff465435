DROP TABLE import_failed_rows;
DROP TABLE import_errors;
DROP TABLE uploads;
