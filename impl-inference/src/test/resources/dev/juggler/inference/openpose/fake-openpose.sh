#!/usr/bin/env bash
# A stand-in for the OpenPose binary in tests: takes OpenPose's arguments and writes the same per-frame
# JSON files (compact 1.3, BODY_25, the frame index as the nose x). Test-only extra arguments:
#   --fake_crash_at N   abort (SIGABRT) just before writing frame N, after a CUDA-like error on stderr
#   --fake_exit_early N exit 0 before frame N
#   --fake_delay S      sleep S seconds after each frame
#   --fake_fail_open    fail like OpenPose does when the video cannot be opened
#   --fake_args_log F   append the whole command line to file F, one argument per line, then a blank line
# With --image_dir it writes <image name without extension>_keypoints.json per image, as OpenPose does.
set -u
imagedir="" video="" first=0 last=-1 out="" crash=-1 early=-1 delay=0 failopen=0
all_args=("$@")
# bash writes printf's output line by line, so runs appending at once would interleave their lines; cat
# appends the whole block in one write, which O_APPEND keeps in one piece.
log_args() {
  local block
  block=$(printf '%s\n' "${all_args[@]}")
  cat >> "$1" <<< "$block"$'\n'
}
while [ $# -gt 0 ]; do
  case "$1" in
    --video) video=$2; shift 2 ;;
    --image_dir) imagedir=$2; shift 2 ;;
    --frame_first) first=$2; shift 2 ;;
    --frame_last) last=$2; shift 2 ;;
    --write_json) out=$2; shift 2 ;;
    --fake_crash_at) crash=$2; shift 2 ;;
    --fake_exit_early) early=$2; shift 2 ;;
    --fake_delay) delay=$2; shift 2 ;;
    --fake_fail_open) failopen=1; shift ;;
    --fake_args_log) log_args "$2"; shift 2 ;;
    --num_gpu|--num_gpu_start|--display|--render_pose|--model_pose|--net_resolution) shift 2 ;;
    *) echo "unknown flag $1" >&2; exit 1 ;;
  esac
done
echo "Starting OpenPose demo..."
if [ "$failopen" = 1 ]; then
  echo "Error:" >&2
  echo "Video could not be opened as cv::VideoCapture: $video" >&2
  exit 255
fi
write_frame() { # $1 = file name stem, $2 = nose x
  local pose="$2,2,0.5"
  for ((k = 1; k < 25; k++)); do pose="$pose,0,0,0"; done
  printf '{"version":1.3,"people":[{"person_id":[-1],"pose_keypoints_2d":[%s],"face_keypoints_2d":[],"hand_left_keypoints_2d":[],"hand_right_keypoints_2d":[],"pose_keypoints_3d":[],"face_keypoints_3d":[],"hand_left_keypoints_3d":[],"hand_right_keypoints_3d":[]}]}\n' \
    "$pose" > "$out/$1_keypoints.json"
}
if [ -n "$imagedir" ]; then
  # As OpenPose: every non-hidden file in plain name order, each named after its image; nose x = position.
  i=0
  for f in "$imagedir"/*; do
    [ -e "$f" ] || continue
    name=$(basename "$f")
    write_frame "${name%.*}" "$i"
    i=$((i + 1))
    sleep "$delay"
  done
  echo "OpenPose demo successfully finished. Total time: 1.0 seconds."
  exit 0
fi
base=$(basename "$video"); base=${base%.*}
for ((i = first; i <= last; i++)); do
  if [ "$i" = "$crash" ]; then
    echo "Check failed: error == cudaSuccess (2 vs. 0)  out of memory" >&2
    kill -ABRT $$
  fi
  if [ "$i" = "$early" ]; then
    exit 0
  fi
  pose="$i,2,0.5"
  for ((k = 1; k < 25; k++)); do pose="$pose,0,0,0"; done
  printf '{"version":1.3,"people":[{"person_id":[-1],"pose_keypoints_2d":[%s],"face_keypoints_2d":[],"hand_left_keypoints_2d":[],"hand_right_keypoints_2d":[],"pose_keypoints_3d":[],"face_keypoints_3d":[],"hand_left_keypoints_3d":[],"hand_right_keypoints_3d":[]}]}\n' \
    "$pose" > "$out/$(printf '%s_%012d_keypoints.json' "$base" "$i")"
  sleep "$delay"
done
echo "OpenPose demo successfully finished. Total time: 1.0 seconds."
