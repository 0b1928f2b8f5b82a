package dev.juggler.inference.clean;

import dev.juggler.inference.openpose.OpenPosePerson;
import dev.juggler.inference.pose.BodyModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Writes cleaned frames as a CSV time series for analysis tools: one row per frame and person, with the
 * columns {@code frame, time_s, person_id}, then {@code <keypoint>_x, <keypoint>_y, <keypoint>_c} for every body
 * keypoint (OpenPose's names for BODY_25 and COCO, {@code kp<i>} for other layouts), then {@code filled}: the
 * names of the keypoints that were filled by interpolation, separated by spaces. A missing keypoint has empty
 * cells. Face and hands are left out (the OpenPose JSON export has them). The header is written with the first
 * row, from its body layout; a person with another layout is written with its own keypoints under it.
 *
 * <p>Not thread-safe; the caller owns and closes the writer.
 */
public final class PoseCsv {
    private final Writer out;
    private final double fps;
    private List<String> names;

    /** @param fps the video's frame rate, for the {@code time_s} column */
    public PoseCsv(Writer out, double fps) {
        this.out = Objects.requireNonNull(out, "out");
        this.fps = fps;
    }

    /** Writes the rows of one cleaned frame (none for a frame without people). */
    public void write(CleanedFrame frame) {
        List<OpenPosePerson> people = frame.document().people();
        try {
            for (int i = 0; i < people.size(); i++) {
                OpenPosePerson person = people.get(i);
                float[] body = person.pose2d();
                if (names == null) {
                    names = names(body.length / 3);
                    header();
                }
                BitSet filled = i < frame.filled().size() ? frame.filled().get(i) : new BitSet();
                StringBuilder row = new StringBuilder(32 + 30 * names.size());
                row.append(frame.frame()).append(',').append(fps > 0 ? String.format(Locale.ROOT, "%.4f", frame.frame() / fps) : "")
                        .append(',').append(person.personId());
                StringBuilder filledNames = new StringBuilder();
                for (int k = 0; k < body.length / 3; k++) {
                    if (body[3 * k + 2] > 0) {
                        row.append(',').append(number(body[3 * k])).append(',').append(number(body[3 * k + 1])).append(',')
                                .append(number(body[3 * k + 2]));
                    } else {
                        row.append(",,,");
                    }
                    if (filled.get(k)) {
                        filledNames.append(filledNames.length() == 0 ? "" : " ").append(k < names.size() ? names.get(k) : "kp" + k);
                    }
                }
                row.append(',').append(filledNames).append('\n');
                out.write(row.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void header() throws IOException {
        StringBuilder h = new StringBuilder("frame,time_s,person_id");
        for (String name : names) {
            h.append(',').append(name).append("_x,").append(name).append("_y,").append(name).append("_c");
        }
        out.write(h.append(",filled\n").toString());
    }

    private static List<String> names(int keypoints) {
        for (BodyModel model : BodyModel.values()) {
            if (model.keypointCount() == keypoints) {
                return model.names();
            }
        }
        return java.util.stream.IntStream.range(0, keypoints).mapToObj(k -> "kp" + k).toList();
    }

    private static String number(float v) {
        return v == Math.rint(v) && Math.abs(v) < 1e7 ? Integer.toString((int) v) : Float.toString(v);
    }
}
