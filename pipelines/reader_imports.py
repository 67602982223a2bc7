"""What the document workers' server imports (document_workers.READER_MODULES): the stage functions
and their readers, then `gc.freeze()` over all they allocated. Workers forked from the server then
share those pages rather than copy each one the collector touches, and the server ends without a
last collection over them (about 0.3 s at the end of every refresh). The server ignores SIGINT from
its start (multiprocessing ignores it only after the imports)."""

import gc
import signal

signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group; the parent decides

import pipelines.document_stages  # noqa: E402, F401
import pipelines.document_workers  # noqa: E402, F401

gc.freeze()
