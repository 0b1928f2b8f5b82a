package dev.juggler.inference.openpose;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.juggler.inference.internal.CNumbers;
import dev.juggler.inference.internal.OpenPoseReader;
import dev.juggler.inference.pose.Person;
import dev.juggler.inference.pose.PoseFrame;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * One frame's keypoints in OpenPose's JSON format, written exactly as OpenPose 1.3+ writes it:
 *
 * <pre>{"version":1.3,"people":[{"person_id":[-1],"pose_keypoints_2d":[x,y,c,...],"face_keypoints_2d":[],
 * "hand_left_keypoints_2d":[],"hand_right_keypoints_2d":[],"pose_keypoints_3d":[],"face_keypoints_3d":[],
 * "hand_left_keypoints_3d":[],"hand_right_keypoints_3d":[]}]}</pre>
 *
 * (one line, no spaces; {@code "people":[]} when nobody was found). Numbers are formatted like C++
 * {@code ostream << float}: 6 significant digits, no trailing zeros, {@code 0} for a missing keypoint.
 * A {@link PoseFrame} has face and hand arrays empty because {@link Person} carries only the body; an
 * {@link OpenPoseDocument} keeps and writes them all.
 *
 * <p>The reader accepts what this writer writes and every older OpenPose version (1.0–1.1 keys without
 * {@code _2d}, 1.2 with {@code _2d/_3d}, 1.3 with {@code person_id}, optional {@code part_candidates}),
 * compact or pretty, any number of keypoints; it checks
 * array lengths (multiples of 3 for 2D, 4 for 3D) and rejects non-finite numbers with an
 * {@link OpenPoseFormatException} that names the source, person, field and index.
 *
 * <p>Stateless and thread-safe.
 */
public final class OpenPoseJson {

    /** The format version this class writes. */
    public static final String VERSION = "1.3";

    private static final JsonFactory JSON = JsonFactory.builder().build();

    private OpenPoseJson() {
    }

    /** The JSON document for {@code frame}, one line without a trailing newline. */
    public static String toJson(PoseFrame frame) {
        Objects.requireNonNull(frame, "frame");
        return toJson(OpenPoseDocument.of(frame));
    }

    /**
     * Writes the JSON document for {@code frame} to {@code out} (not closed, flushed).
     *
     * @throws IOException if {@code out} fails
     */
    public static void write(PoseFrame frame, Writer out) throws IOException {
        Objects.requireNonNull(frame, "frame");
        write(OpenPoseDocument.of(frame), out);
    }

    /**
     * The document as OpenPose 1.3 writes it, face, hands, 3D and part candidates included (the declared
     * version of an older document is not kept: the output is 1.3). One line without a trailing newline.
     */
    public static String toJson(OpenPoseDocument document) {
        StringWriter out = new StringWriter(64 + 600 * document.people().size());
        try {
            write(document, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.toString();
    }

    /**
     * Writes {@code document} as OpenPose 1.3 to {@code out} (not closed, flushed).
     *
     * @throws IOException if {@code out} fails
     */
    public static void write(OpenPoseDocument document, Writer out) throws IOException {
        Objects.requireNonNull(document, "document");
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.writeStartObject();
            g.writeFieldName("version");
            g.writeNumber(VERSION); // a number, as OpenPose writes it, not a string
            g.writeArrayFieldStart("people");
            for (OpenPosePerson person : document.people()) {
                g.writeStartObject();
                g.writeArrayFieldStart("person_id");
                g.writeNumber(person.personId());
                g.writeEndArray();
                for (int f = 0; f < OpenPosePerson.FIELDS.size(); f++) {
                    writeFloats(g, OpenPosePerson.FIELDS.get(f), person.part(f));
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            if (document.partCandidates().isPresent()) {
                g.writeArrayFieldStart("part_candidates");
                for (java.util.Map<String, float[]> parts : document.partCandidates().get()) {
                    g.writeStartObject();
                    for (java.util.Map.Entry<String, float[]> e : parts.entrySet()) {
                        writeFloats(g, e.getKey(), e.getValue());
                    }
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        }
    }

    private static void writeFloats(JsonGenerator g, String field, float[] values) throws IOException {
        g.writeArrayFieldStart(field);
        for (float v : values) {
            g.writeNumber(CNumbers.format(v));
        }
        g.writeEndArray();
    }

    /**
     * Parses a document with everything in it (face, hands, 3D, part candidates); {@code source} names
     * it in errors.
     *
     * @throws OpenPoseFormatException if it is not valid OpenPose JSON
     */
    public static OpenPoseDocument readDocument(String json, String source) {
        Objects.requireNonNull(json, "json");
        return OpenPoseReader.readFull(new StringReader(json), source);
    }

    /**
     * Parses a file (UTF-8) with everything in it.
     *
     * @throws OpenPoseFormatException if it cannot be read or is not valid OpenPose JSON
     */
    public static OpenPoseDocument readDocument(Path file) {
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return OpenPoseReader.readFull(in, file.toString());
        } catch (IOException e) {
            throw new OpenPoseFormatException(file.toString(), "could not be read: " + e, e);
        }
    }

    /**
     * Parses a document.
     *
     * @throws OpenPoseFormatException if it is not valid OpenPose JSON
     */
    public static PoseFrame read(String json) {
        return read(json, "<string>");
    }

    /**
     * Parses a document; {@code source} (a file name, a track and frame) names it in errors.
     *
     * @throws OpenPoseFormatException if it is not valid OpenPose JSON
     */
    public static PoseFrame read(String json, String source) {
        Objects.requireNonNull(json, "json");
        return OpenPoseReader.read(new StringReader(json), source);
    }

    /** Parses a document from {@code in} (not closed); {@code source} names it in errors. */
    public static PoseFrame read(Reader in, String source) {
        Objects.requireNonNull(in, "in");
        return OpenPoseReader.read(in, source);
    }

    /**
     * Parses a file (UTF-8).
     *
     * @throws OpenPoseFormatException if it cannot be read or is not valid OpenPose JSON
     */
    public static PoseFrame read(Path file) {
        return readDocument(file).toPoseFrame();
    }
}
