"""Documents out: Word files in the administrative format of Nghị định 30/2020/NĐ-CP."""
