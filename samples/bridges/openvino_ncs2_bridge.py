#!/usr/bin/env python3
"""Juggler stick bridge for Intel Neural Compute Stick 2 (MYRIAD) through OpenVINO 2022.3 LTS.

OpenVINO 2022.3 is the last release with the MYRIAD plugin, so it is the last one that drives an NCS2.
This script lets Java (dev.juggler.inference.accel.BridgeStick) use a stick without a native binding:
it speaks the line protocol of docs/stick-bridge-protocol.md on stdin/stdout (version 1) and logs on
stderr. One bridge process drives one stick; start one per stick and name the stick with `load`'s
device, e.g. MYRIAD.1.2-ma2480 (list them with --list).

Requirements (on the machine with the sticks, not needed to build or test Juggler):
    python3 -m pip install "openvino==2022.3.*" numpy
    plus the udev rules for the stick that ship with OpenVINO (install_dependencies/install_NCS_udev_rules.sh)

Data on the wire (per frame, one line each):
    input:  base64 of the model's first input for ONE frame as float32 little-endian, C order,
            in the model's own layout with the batch dimension 1 (e.g. 1x3x256x256 -> 786432 bytes)
    output: the model's outputs for that frame, each base64 of float32 little-endian C-order data,
            joined with ';' in the model's output order

Temperature: `thermal` answers the MYRIAD plugin's DEVICE_THERMAL metric (degrees Celsius). OpenVINO does
not report the stick's throttling state (the old NCSDK did, as level 1 = short pauses, 2 = long pauses),
so this bridge estimates it: level 1 from --throttle-c (default 70 C, where an NCS2 starts throttling) and
level 2 from --throttle-c + 10. A plugin that cannot read the metric gives `nan 0`.

This script could not be run where Juggler is developed (no stick, no OpenVINO); its protocol handling
is the same as the Java stand-in bridge used by the tests (FakeBridgeMain).

Usage:
    openvino_ncs2_bridge.py [--throttle-c 70] [--list]
"""

import argparse
import base64
import math
import sys

PROTOCOL_VERSION = 1


def log(message):
    print(message, file=sys.stderr, flush=True)


def answer(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


class Stick:
    def __init__(self, throttle_c):
        # Imported here so that --help works without OpenVINO.
        import numpy as np
        from openvino.runtime import Core

        self.np = np
        self.core = Core()
        self.throttle_c = throttle_c
        self.device = None
        self.compiled = None
        self.request = None
        self.input_shape = None
        self.max_batch = 1

    def load(self, device, model_path):
        try:
            model = self.core.read_model(model_path)
        except Exception as e:  # a missing or broken model file does not heal by retrying
            raise PermanentError("cannot read model %s: %s" % (model_path, e))
        shape = list(model.input(0).get_partial_shape().get_min_shape())
        if not shape:
            raise PermanentError("model input has no static shape: " + str(model.input(0).get_partial_shape()))
        # The stick runs one frame per request; a model with a larger static batch would need it.
        shape[0] = 1
        model.reshape({model.input(0).get_any_name(): shape})
        self.compiled = self.core.compile_model(model, device)
        self.request = self.compiled.create_infer_request()
        self.device = device
        self.input_shape = shape
        log("loaded %s on %s, input shape %s" % (model_path, device, shape))
        return self.max_batch

    def infer(self, lines):
        np = self.np
        outputs = []
        for line in lines:
            try:
                data = np.frombuffer(base64.b64decode(line, validate=True), dtype="<f4")
                tensor = data.reshape(self.input_shape)
            except Exception as e:  # a malformed frame is the caller's fault, not the stick's
                raise PermanentError("cannot decode input: %s" % e)
            self.request.infer({0: tensor})
            parts = []
            for port in self.compiled.outputs:
                result = np.ascontiguousarray(self.request.get_tensor(port).data, dtype="<f4")
                parts.append(base64.b64encode(result.tobytes()).decode("ascii"))
            outputs.append(";".join(parts))
        return outputs

    def thermal(self):
        try:
            celsius = float(self.core.get_property(self.device, "DEVICE_THERMAL"))
        except Exception as e:
            log("DEVICE_THERMAL unavailable: %s" % e)
            return "nan 0"
        if math.isnan(celsius):
            return "nan 0"
        level = 2 if celsius >= self.throttle_c + 10 else 1 if celsius >= self.throttle_c else 0
        return "%.2f %d" % (celsius, level)


class PermanentError(Exception):
    pass


def serve(stick):
    import openvino.runtime as ov

    answer("ready %d openvino %s" % (PROTOCOL_VERSION, ov.get_version()))
    for raw in sys.stdin:
        line = raw.rstrip("\n")
        verb, _, rest = line.partition(" ")
        try:
            if verb == "load":
                device, _, model = rest.partition(" ")
                if not device or not model:
                    raise PermanentError("usage: load <device> <model path>")
                answer("ok %d" % stick.load(device, model))
            elif verb == "infer":
                n = int(rest)
                frames = [sys.stdin.readline().rstrip("\n") for _ in range(n)]
                if stick.compiled is None:
                    raise PermanentError("no model loaded")
                if n > stick.max_batch:
                    raise PermanentError("batch %d > %d" % (n, stick.max_batch))
                results = stick.infer(frames)
                answer("ok %d" % len(results))
                for result in results:
                    answer(result)
            elif verb == "thermal":
                if stick.device is None:
                    raise PermanentError("no device loaded")
                answer("ok " + stick.thermal())
            elif verb == "close":
                answer("ok")
                return
            else:
                raise PermanentError("unknown request " + verb)
        except PermanentError as e:
            answer("err permanent " + str(e).replace("\n", " "))
        except Exception as e:  # device errors (USB reset, stick unplugged) may go away after a restart
            log("request %s failed: %r" % (verb, e))
            answer("err transient " + (type(e).__name__ + ": " + str(e)).replace("\n", " "))


def main():
    parser = argparse.ArgumentParser(description="Juggler stick bridge for NCS2 via OpenVINO 2022.3")
    parser.add_argument("--throttle-c", type=float, default=70.0,
                        help="temperature at which throttling level 1 is reported (default 70)")
    parser.add_argument("--list", action="store_true", help="print the MYRIAD devices and exit")
    args = parser.parse_args()
    if args.list:
        from openvino.runtime import Core
        for device in Core().available_devices:
            if device.startswith("MYRIAD"):
                print(device)
        return 0
    try:
        stick = Stick(args.throttle_c)
    except ImportError as e:
        log("OpenVINO 2022.3 is not installed: %s" % e)
        return 2
    serve(stick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
