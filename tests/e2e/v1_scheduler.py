"""A framework over the v1 scheduler HTTP API for end-to-end tests: it
subscribes, acknowledges every update it reads, launches one task per
offer and can kill. Standard library only."""
import json

from mesos_v1 import open_stream, post, read_record


class Scheduler:
    """A v1 HTTP framework that launches tasks and can kill them; with
    `checkpoint` its tasks outlive an agent restart."""

    def __init__(self, address, checkpoint=False, name="docker-e2e"):
        self.address = address
        body = json.dumps({"type": "SUBSCRIBE", "subscribe": {"framework_info": {
            "user": "root", "name": name, "roles": ["*"], "checkpoint": checkpoint,
            "capabilities": [{"type": "MULTI_ROLE"}]}}})
        self.conn, self.stream = open_stream(address, "/api/v1/scheduler", body)
        self.stream_id = self.stream.getheader("Mesos-Stream-Id")
        self.framework_id = None
        self.offer = None

    def call(self, body):
        body["framework_id"] = {"value": self.framework_id}
        status, text, _ = post(self.address, "/api/v1/scheduler", json.dumps(body),
                               headers={"Mesos-Stream-Id": self.stream_id})
        assert status == 202, (status, text)

    def next_event(self):
        event = json.loads(read_record(self.stream))
        if event["type"] == "SUBSCRIBED":
            self.framework_id = event["subscribed"]["framework_id"]["value"]
        if event["type"] == "UPDATE":
            status = event["update"]["status"]
            if "uuid" in status:
                self.call({"type": "ACKNOWLEDGE", "acknowledge": {
                    "agent_id": status["agent_id"], "task_id": status["task_id"],
                    "uuid": status["uuid"]}})
        return event

    def launch(self, task):
        while True:
            event = self.next_event()
            if event["type"] == "OFFERS":
                offer = event["offers"]["offers"][0]
                task["agent_id"] = offer["agent_id"]
                self.call({"type": "ACCEPT", "accept": {
                    "offer_ids": [offer["id"]],
                    "operations": [{"type": "LAUNCH", "launch": {"task_infos": [task]}}]}})
                return offer["agent_id"]

    def wait_state(self, task_id, states):
        while True:
            event = self.next_event()
            if event["type"] == "UPDATE":
                status = event["update"]["status"]
                if status["task_id"]["value"] == task_id and status["state"] in states:
                    return status

    def close(self):
        self.conn.close()
