select * from reference.report_palette
