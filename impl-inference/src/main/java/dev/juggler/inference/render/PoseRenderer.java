package dev.juggler.inference.render;

import dev.juggler.inference.pose.Person;
import dev.juggler.inference.pose.PoseFrame;
import dev.juggler.pipeline.Frame;
import dev.juggler.pipeline.PixelFormat;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.Objects;

/**
 * Draws BODY_25 skeletons onto a picture as OpenPose renders them: its limb pairs, its colour per limb and per
 * keypoint, keypoints under a confidence threshold left out; plus each person's id (their {@code person_id},
 * or their place in the frame when that is {@code -1}) and the frame index. For the {@code juggler render}
 * command, the operator console's thumbnails and the docs. Stateless and thread-safe (each call draws on
 * its own picture).
 */
public final class PoseRenderer {

    /** OpenPose's BODY_25 limbs, as pairs of keypoint indices, in its rendering order. */
    static final int[] PAIRS = {1, 8, 1, 2, 1, 5, 2, 3, 3, 4, 5, 6, 6, 7, 8, 9, 9, 10, 10, 11, 8, 12, 12, 13, 13, 14, 1, 0,
        0, 15, 15, 17, 0, 16, 16, 18, 14, 19, 19, 20, 14, 21, 11, 22, 22, 23, 11, 24};

    /** OpenPose's BODY_25 colours, RGB, one per keypoint; a limb takes the colour of its second keypoint, as in OpenPose. */
    static final int[] COLOURS = {
        0xFF0055, 0xFF0000, 0xFF5500, 0xFFAA00, 0xFFFF00, 0xAAFF00, 0x55FF00, 0x00FF00, 0xFF0000, 0x00FF55,
        0x00FFAA, 0x00FFFF, 0x00AAFF, 0x0055FF, 0x0000FF, 0xFF00AA, 0xAA00FF, 0xFF00FF, 0x5500FF, 0x0000FF,
        0x0000FF, 0x0000FF, 0x00FFFF, 0x00FFFF, 0x00FFFF};

    /** Default confidence below which a keypoint is not drawn (OpenPose's {@code --render_threshold}). */
    public static final float DEFAULT_MIN_CONFIDENCE = 0.05f;

    private PoseRenderer() {
    }

    /** A copy of a decoded frame ({@link PixelFormat#BGR24}) as a picture to draw on. */
    public static BufferedImage toImage(Frame frame) {
        Objects.requireNonNull(frame, "frame");
        if (frame.format() != PixelFormat.BGR24) {
            throw new IllegalArgumentException("frames to render must be BGR24, not " + frame.format());
        }
        BufferedImage image = new BufferedImage(frame.width(), frame.height(), BufferedImage.TYPE_3BYTE_BGR);
        byte[] target = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        int row = 3 * frame.width();
        for (int y = 0; y < frame.height(); y++) {
            System.arraycopy(frame.pixels(), y * frame.stride(), target, y * row, row);
        }
        return image;
    }

    /**
     * Draws {@code pose} and the frame index onto {@code image} (in place) and returns it. Line widths and
     * text scale with the picture, so that small and large videos look alike.
     *
     * @param minConfidence keypoints (and the limbs they end) under this confidence are not drawn
     */
    public static BufferedImage draw(BufferedImage image, PoseFrame pose, long frameIndex, float minConfidence) {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(pose, "pose");
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            float scale = Math.max(1f, Math.min(image.getWidth(), image.getHeight()) / 300f);
            g.setStroke(new BasicStroke(1.5f * scale, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, Math.round(11 * scale)));
            int place = 0;
            for (Person person : pose.people()) {
                drawPerson(g, person, person.personId() >= 0 ? person.personId() : place, minConfidence, scale);
                place++;
            }
            String label = "frame " + frameIndex;
            int textY = g.getFontMetrics().getAscent() + 4;
            g.setColor(new Color(0, 0, 0, 160));
            g.fillRect(2, 2, g.getFontMetrics().stringWidth(label) + 8, textY + 2);
            g.setColor(Color.WHITE);
            g.drawString(label, 6, textY);
        } finally {
            g.dispose();
        }
        return image;
    }

    private static void drawPerson(Graphics2D g, Person p, int id, float minConfidence, float scale) {
        int points = Math.min(p.keypointCount(), COLOURS.length);
        for (int i = 0; i < PAIRS.length / 2; i++) {
            int a = PAIRS[2 * i];
            int b = PAIRS[2 * i + 1];
            if (a < points && b < points && p.confidence(a) >= minConfidence && p.confidence(b) >= minConfidence
                    && p.confidence(a) > 0 && p.confidence(b) > 0) {
                g.setColor(new Color(COLOURS[b]));
                g.draw(new Line2D.Float(p.x(a), p.y(a), p.x(b), p.y(b)));
            }
        }
        float r = 2f * scale;
        float topX = Float.NaN;
        float topY = Float.MAX_VALUE;
        for (int k = 0; k < points; k++) {
            if (p.confidence(k) >= minConfidence && p.confidence(k) > 0) {
                g.setColor(new Color(COLOURS[k]));
                g.fill(new Ellipse2D.Float(p.x(k) - r, p.y(k) - r, 2 * r, 2 * r));
                if (p.y(k) < topY) {
                    topY = p.y(k);
                    topX = p.x(k);
                }
            }
        }
        if (!Float.isNaN(topX)) {
            String text = String.valueOf(id);
            int w = g.getFontMetrics().stringWidth(text);
            float y = topY - 4 * scale;
            g.setColor(new Color(0, 0, 0, 160));
            g.fillRect(Math.round(topX - w / 2f - 2), Math.round(y - g.getFontMetrics().getAscent()), w + 4,
                    g.getFontMetrics().getAscent() + 2);
            g.setColor(Color.WHITE);
            g.drawString(text, topX - w / 2f, y);
        }
    }
}
