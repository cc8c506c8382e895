"""Kernel queues concmon infers without any instrumentation: a full pipe
between two commands, a UNIX socket and a TCP connection nobody reads, a
POSIX message queue; each as a JSON queue record with source "inferred",
its kind and unit, and the writer and reader PIDs."""

import os
import shutil
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from concmon_test import BatchRun, helper, main, task

SLOW = 20.0  # ASan on a loaded machine; a passing run takes a refresh or two


def inferred(snap, kind):
    return [q for q in snap.get("queues", []) if q.get("source") == "inferred" and q["kind"] == kind]


def pid_of(snap, comm):
    t = task(snap, comm=comm, exited=False)
    return t["pid"] if t else None


class KernelQueues(unittest.TestCase):
    def test_full_pipe_between_yes_and_sleep(self):
        with BatchRun(["sh", "-c", "yes | sleep 30"], delay=0.2) as run:
            def full_pipe(s):
                y, sl = pid_of(s, "yes"), pid_of(s, "sleep")
                return y and sl and any(
                    q["depth"] == q["capacity"] == 65536 and q["writer_pid"] == y
                    and q["reader_pid"] == sl for q in inferred(s, "pipe"))
            snap = run.wait_for(full_pipe, SLOW, "a full 64 KiB pipe from yes to sleep")
            q = inferred(snap, "pipe")[0]
            self.assertEqual(q["unit"], "bytes")
            self.assertEqual(q["name"], "pipe yes\u2192sleep")
            self.assertEqual(q["pid"], snap["programs"][0]["pid"])
            run.check_clean(self)

    def fixture(self, mode, n):
        return BatchRun([helper("kqueues"), mode, str(n)], delay=0.2)

    def test_unix_socket_nobody_reads(self):
        with self.fixture("unix", 5000) as run:
            snap = run.wait_for(
                lambda s: any(q["depth"] == 5000 and q["writer_pid"] and q["reader_pid"]
                              and q["writer_pid"] != q["reader_pid"] for q in inferred(s, "unix")),
                SLOW, "5000 bytes queued in the parent's end of the socketpair")
            q = [q for q in inferred(snap, "unix") if q["depth"] == 5000][0]
            self.assertEqual(q["reader_pid"], snap["programs"][0]["pid"])
            self.assertGreaterEqual(q["capacity"], q["depth"])
            self.assertEqual(q["unit"], "bytes")
            run.check_clean(self)

    def test_tcp_connection_nobody_reads_and_backlog(self):
        with self.fixture("tcp", 7000) as run:
            snap = run.wait_for(
                lambda s: any(q["depth"] == 7000 for q in inferred(s, "tcp"))
                and any(q["unit"] == "connections" and q["depth"] == 1 for q in inferred(s, "tcp")),
                SLOW, "7000 bytes unread on the accepted connection and one pending connection")
            parent = snap["programs"][0]["pid"]
            q = [q for q in inferred(snap, "tcp") if q["depth"] == 7000][0]
            self.assertEqual(q["reader_pid"], parent)
            self.assertNotEqual(q["writer_pid"], parent)
            listen = [q for q in inferred(snap, "tcp") if q["unit"] == "connections"][0]
            self.assertTrue(listen["name"].startswith("listen 127.0.0.1:"), listen["name"])
            self.assertEqual(listen["capacity"], 8)
            run.check_clean(self)

    def test_message_queue_holds_what_was_sent(self):
        with self.fixture("mq", 4) as run:
            snap = run.wait_for(lambda s: any(q["depth"] == 4 for q in inferred(s, "mqueue")),
                                SLOW, "a message queue holding 4 messages")
            q = inferred(snap, "mqueue")[0]
            self.assertEqual(q["capacity"], 10)
            self.assertEqual(q["unit"], "messages")
            self.assertEqual(q["writer_pid"], snap["programs"][0]["pid"])
            self.assertTrue(q["name"].startswith("mqueue /concmon-kq-"), q["name"])
            self.assertNotIn("deleted", q["name"])
            run.check_clean(self)

    @unittest.skipUnless(shutil.which("stress-ng"), "stress-ng is not installed")
    def test_stress_ng_mq(self):
        with BatchRun(["stress-ng", "--mq", "1", "--timeout", "60"], delay=0.2) as run:
            snap = run.wait_for(lambda s: inferred(s, "mqueue"), SLOW,
                                "stress-ng's message queue as an inferred record")
            q = inferred(snap, "mqueue")[0]
            self.assertGreaterEqual(q["capacity"], 1)
            self.assertLessEqual(q["depth"], q["capacity"])
            run.check_clean(self)


if __name__ == "__main__":
    main()
