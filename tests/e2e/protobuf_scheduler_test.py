"""A v1 scheduler in Python written against Mesos' scheduler HTTP API,
with message classes compiled from schema/proto, runs tasks on `cairn local`
at Mesos' path /master/api/v1/scheduler with protobuf bodies and answers,
and again with JSON (read back strictly, unknown fields refused). Also: the
operator API answers protobuf, a body that is not a Call is a 400 naming
why, and an Accept allowing neither form is a 406."""
import sys
import time
import unittest

from cairn_local import Local
import mesos_v1

CAIRN = sys.argv.pop(1)
PROTO_ROOT = sys.argv.pop(1)
mesos_v1.compile_protos(PROTO_ROOT)

from google.protobuf import json_format  # noqa: E402
from mesos.v1 import mesos_pb2  # noqa: E402
from mesos.v1.agent import agent_pb2  # noqa: E402
from mesos.v1.master import master_pb2  # noqa: E402
from mesos.v1.scheduler import scheduler_pb2  # noqa: E402

PATH = "/master/api/v1/scheduler"
PROTOBUF = "application/x-protobuf"
JSON = "application/json"
TERMINAL = {mesos_pb2.TASK_FINISHED, mesos_pb2.TASK_FAILED, mesos_pb2.TASK_KILLED,
            mesos_pb2.TASK_ERROR, mesos_pb2.TASK_LOST, mesos_pb2.TASK_DROPPED,
            mesos_pb2.TASK_GONE}


class Codec:
    """Messages as protobuf bytes or as Mesos' JSON, both ways."""

    def __init__(self, media):
        self.media = media

    def encode(self, message):
        if self.media == PROTOBUF:
            return message.SerializeToString()
        return json_format.MessageToJson(message, preserving_proto_field_name=True).encode()

    def decode(self, cls, data):
        message = cls()
        if self.media == PROTOBUF:
            message.ParseFromString(data)
        else:
            json_format.Parse(data, message)  # unknown fields are errors
        return message


class Scheduler:
    def __init__(self, address, media, tasks):
        self.address, self.codec, self.wanted = address, Codec(media), tasks
        self.framework_id = None
        self.stream_id = None
        self.launched = 0
        self.states = {}
        self.content_type = None

    def call(self, call):
        call.framework_id.value = self.framework_id
        status, body, _ = mesos_v1.post(self.address, PATH, self.codec.encode(call),
                                        self.codec.media, self.codec.media,
                                        {"Mesos-Stream-Id": self.stream_id})
        if status != 202:
            raise AssertionError("%s answered %d: %r" % (
                scheduler_pb2.Call.Type.Name(call.type), status, body))

    def on_offers(self, offers):
        for offer in offers:
            call = scheduler_pb2.Call(type=scheduler_pb2.Call.ACCEPT)
            call.accept.offer_ids.add().CopyFrom(offer.id)
            call.accept.filters.refuse_seconds = 0
            cpus = sum(r.scalar.value for r in offer.resources if r.name == "cpus")
            mem = sum(r.scalar.value for r in offer.resources if r.name == "mem")
            operation = call.accept.operations.add(type=mesos_pb2.Offer.Operation.LAUNCH)
            while self.launched < self.wanted and cpus >= 0.1 and mem >= 32:
                cpus, mem = cpus - 0.1, mem - 32
                task = operation.launch.task_infos.add(name="pb-%d" % self.launched)
                task.task_id.value = "%s-task-%d" % (self.codec.media.split("/")[1],
                                                     self.launched)
                task.agent_id.CopyFrom(offer.agent_id)
                task.command.value = "echo hello"
                for name, value in (("cpus", 0.1), ("mem", 32)):
                    r = task.resources.add(name=name, type=mesos_pb2.Value.SCALAR)
                    r.scalar.value = value
                self.launched += 1
            if not operation.launch.task_infos:
                call = scheduler_pb2.Call(type=scheduler_pb2.Call.DECLINE)
                call.decline.offer_ids.add().CopyFrom(offer.id)
            self.call(call)

    def on_update(self, status):
        self.states[status.task_id.value] = status.state
        if status.HasField("uuid"):
            call = scheduler_pb2.Call(type=scheduler_pb2.Call.ACKNOWLEDGE)
            call.acknowledge.agent_id.CopyFrom(status.agent_id)
            call.acknowledge.task_id.CopyFrom(status.task_id)
            call.acknowledge.uuid = status.uuid
            self.call(call)

    def done(self):
        return len(self.states) == self.wanted and all(
            s in TERMINAL for s in self.states.values())

    def run(self, bound=120):
        subscribe = scheduler_pb2.Call(type=scheduler_pb2.Call.SUBSCRIBE)
        info = subscribe.subscribe.framework_info
        info.user, info.name = "root", "python-protobuf"
        info.roles.append("*")
        info.capabilities.add(type=mesos_pb2.FrameworkInfo.Capability.MULTI_ROLE)
        conn, response = mesos_v1.open_stream(self.address, PATH, self.codec.encode(subscribe),
                                              self.codec.media, self.codec.media)
        if response.status != 200:
            raise AssertionError("SUBSCRIBE answered %d: %r" % (response.status, response.read()))
        self.content_type = response.getheader("Content-Type")
        self.stream_id = response.getheader("Mesos-Stream-Id")
        deadline = time.time() + bound
        while not self.done() and time.time() < deadline:
            record = mesos_v1.read_record(response)
            if record is None:
                raise AssertionError("the event stream ended")
            event = self.codec.decode(scheduler_pb2.Event, record)
            if event.type == scheduler_pb2.Event.SUBSCRIBED:
                self.framework_id = event.subscribed.framework_id.value
            elif event.type == scheduler_pb2.Event.OFFERS:
                self.on_offers(event.offers.offers)
            elif event.type == scheduler_pb2.Event.UPDATE:
                self.on_update(event.update.status)
            elif event.type == scheduler_pb2.Event.ERROR:
                raise AssertionError("ERROR event: " + event.error.message)
        self.call(scheduler_pb2.Call(type=scheduler_pb2.Call.TEARDOWN))
        conn.close()
        return self.states


class ProtobufScheduler(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.local = Local(CAIRN, agents=2)
        cls.address = cls.local.address

    @classmethod
    def tearDownClass(cls):
        cls.local.stop()

    def run_tasks(self, media):
        scheduler = Scheduler(self.address, media, tasks=5)
        states = scheduler.run()
        self.assertEqual(scheduler.content_type, media)
        self.assertEqual(len(states), 5)
        for task, state in states.items():
            self.assertEqual(state, mesos_pb2.TASK_FINISHED, task)

    def test_tasks_run_with_protobuf_bodies(self):
        self.run_tasks(PROTOBUF)

    def test_tasks_run_with_json_bodies(self):
        self.run_tasks(JSON)

    def test_operator_api_answers_protobuf(self):
        call = master_pb2.Call(type=master_pb2.Call.GET_STATE)
        status, body, headers = mesos_v1.post(self.address, "/master/api/v1",
                                              call.SerializeToString(), PROTOBUF, PROTOBUF)
        self.assertEqual((status, headers["content-type"]), (200, PROTOBUF), body)
        response = master_pb2.Response()
        response.ParseFromString(body)
        self.assertEqual(response.type, master_pb2.Response.GET_STATE)
        self.assertEqual(len(response.get_state.get_agents.agents), 2)
        # Accept absent: JSON, as in Mesos.
        status, body, headers = mesos_v1.post(self.address, "/master/api/v1",
                                              call.SerializeToString(), PROTOBUF, None)
        self.assertEqual((status, headers["content-type"]), (200, JSON), body)
        json_format.Parse(body, master_pb2.Response())

    def test_agent_subscribe_streams_protobuf_events(self):
        agent = self.local.state()["slaves"][0]["pid"].split("@")[1]
        call = agent_pb2.Call(type=agent_pb2.Call.SUBSCRIBE)
        conn, response = mesos_v1.open_stream(agent, "/slave(1)/api/v1",
                                              call.SerializeToString(), PROTOBUF, PROTOBUF)
        try:
            self.assertEqual(response.status, 200)
            self.assertEqual(response.getheader("Content-Type"), PROTOBUF)
            kinds = []
            for _ in range(2):
                event = agent_pb2.Event()
                event.ParseFromString(mesos_v1.read_record(response))
                kinds.append(event.type)
            self.assertEqual(kinds, [agent_pb2.Event.SUBSCRIBED, agent_pb2.Event.HEARTBEAT])
        finally:
            conn.close()

    def test_a_body_that_is_not_a_call_is_refused_with_why(self):
        for path in (PATH, "/master/api/v1"):
            status, body, _ = mesos_v1.post(self.address, path, b"\xff\xff\xff", PROTOBUF,
                                            PROTOBUF)
            self.assertEqual(status, 400, body)
            self.assertIn(b"malformed protobuf", body)
        # A required field missing (framework_info.user and name) is named.
        subscribe = scheduler_pb2.Call(type=scheduler_pb2.Call.SUBSCRIBE)
        subscribe.subscribe.framework_info.roles.append("*")
        status, body, _ = mesos_v1.post(self.address, PATH,
                                        subscribe.SerializePartialToString(), PROTOBUF, PROTOBUF)
        self.assertEqual(status, 400, body)
        self.assertIn(b"framework_info.user", body)
        self.assertEqual(self.local.get("/health")[0], 200)

    def test_an_accept_of_neither_form_is_406(self):
        call = master_pb2.Call(type=master_pb2.Call.GET_HEALTH)
        status, body, _ = mesos_v1.post(self.address, "/master/api/v1",
                                        call.SerializeToString(), PROTOBUF, "text/html")
        self.assertEqual(status, 406, body)


if __name__ == "__main__":
    unittest.main(verbosity=2)
