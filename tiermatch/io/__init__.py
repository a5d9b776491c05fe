"""Files in and out: interchange CSV and Parquet read and validated, results written atomically.

The edge between the file system and the core: nothing in ``features`` or
``matcher`` opens a file.
"""

from .atomic import write_atomically, write_csv
from .outputs import PartitionWriter, write_cluster_outputs, write_outputs, write_partnerships, write_rejected_rows
from .partitions import CsvPartition, ParquetPartition, open_suppliers
from .records import decode_csv, parquet_cells, read_buyers, read_partnerships, read_records, read_suppliers

__all__ = [
    "CsvPartition",
    "ParquetPartition",
    "PartitionWriter",
    "decode_csv",
    "open_suppliers",
    "parquet_cells",
    "read_buyers",
    "read_partnerships",
    "read_records",
    "read_suppliers",
    "write_atomically",
    "write_cluster_outputs",
    "write_csv",
    "write_outputs",
    "write_partnerships",
    "write_rejected_rows",
]
