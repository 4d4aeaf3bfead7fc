select * from reference.study_2023_reported
