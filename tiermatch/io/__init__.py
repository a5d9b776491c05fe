"""Files in and out: interchange CSV, workbooks and Parquet read and validated, results written atomically.

The edge between the file system and the core: nothing in ``features`` or
``matcher`` opens a file.
"""

from .atomic import pid_alive, staged_folder, write_atomically, write_csv
from .outputs import (
    RUN_OUTPUTS,
    PartitionWriter,
    write_cluster_outputs,
    write_outputs,
    write_partnerships,
    write_rejected_rows,
    write_rows,
)
from .partitions import CsvPartition, ParquetPartition, open_suppliers
from .records import parquet_cells, read_buyers, read_partnerships, read_records, read_suppliers
from .sheets import open_sheet, safe_rows, spreadsheet_safe

__all__ = [
    "CsvPartition",
    "ParquetPartition",
    "PartitionWriter",
    "RUN_OUTPUTS",
    "open_sheet",
    "open_suppliers",
    "parquet_cells",
    "pid_alive",
    "read_buyers",
    "read_partnerships",
    "read_records",
    "read_suppliers",
    "safe_rows",
    "spreadsheet_safe",
    "staged_folder",
    "write_atomically",
    "write_cluster_outputs",
    "write_csv",
    "write_outputs",
    "write_partnerships",
    "write_rejected_rows",
    "write_rows",
]
