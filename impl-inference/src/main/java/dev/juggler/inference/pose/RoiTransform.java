package dev.juggler.inference.pose;

/**
 * Where a model input's pixels lie in the frame: an affine map from model-input coordinates
 * {@code (u, v)} to frame coordinates, {@code x = a u + b v + c}, {@code y = d u + e v + f}. An axis-aligned
 * letterbox and MediaPipe's rotated square region of interest are both such maps. Coordinates are
 * continuous (pixel {@code i} covers {@code [i, i + 1)}). Immutable and thread-safe.
 */
record RoiTransform(float a, float b, float c, float d, float e, float f) {

    /** The whole {@code width x height} frame letterboxed into a {@code size x size} input (aspect kept, centred). */
    static RoiTransform letterbox(int width, int height, int size) {
        float scale = Math.min((float) size / width, (float) size / height);
        float padX = (size - width * scale) / 2f;
        float padY = (size - height * scale) / 2f;
        return new RoiTransform(1f / scale, 0f, -padX / scale, 0f, 1f / scale, -padY / scale);
    }

    /** An axis-aligned crop letterboxed into a square input: {@code model = (source - origin) * scale + pad}. */
    static RoiTransform of(Letterbox.Crop crop) {
        float s = 1f / crop.scale();
        return new RoiTransform(s, 0f, crop.x() - crop.padX() * s, 0f, s, crop.y() - crop.padY() * s);
    }

    /**
     * A square of side {@code side} frame pixels centred on {@code (cx, cy)} and turned by {@code rotation}
     * radians (clockwise on screen, y pointing down), mapped onto a {@code size x size} input so that the
     * square's top edge is the input's top row.
     */
    static RoiTransform rotatedSquare(float cx, float cy, float side, float rotation, int size) {
        float k = side / size;
        float cos = (float) Math.cos(rotation) * k;
        float sin = (float) Math.sin(rotation) * k;
        float half = size / 2f;
        // frame = centre + R(rotation) * ((u, v) - half) * k
        return new RoiTransform(cos, -sin, cx - cos * half + sin * half, sin, cos, cy - sin * half - cos * half);
    }

    /** This map followed by a shift of the frame coordinates. */
    RoiTransform shifted(float dx, float dy) {
        return new RoiTransform(a, b, c + dx, d, e, f + dy);
    }

    float x(float u, float v) {
        return a * u + b * v + c;
    }

    float y(float u, float v) {
        return d * u + e * v + f;
    }

    /** How many frame pixels one input pixel spans (the map's scale). */
    float scale() {
        return (float) Math.sqrt(Math.abs(a * e - b * d));
    }
}
