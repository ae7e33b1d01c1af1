#!/usr/bin/env bash
# Rebuilds examples/call.flac: a synthetic two-channel sales call (rep left, prospect right)
# spoken by flite's voices, 8 kHz like a phone recording. Needs flite and sox (Debian).
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
turns=(
  "rep|slt|Hi, this is Maya Lopez calling from Northwind Analytics. Is this David Chen?"
  "prospect|rms|Yes, this is David. I'm the head of operations at Acme Logistics."
  "rep|slt|Great. What are you using for reporting today, and what is not working?"
  "prospect|rms|We use Salesforce and Tableau, but the reporting is too slow, and our team wastes hours every week on exports."
  "rep|slt|How many people would need access?"
  "prospect|rms|About two hundred and fifty seats across three regions. Our budget is around eighty thousand dollars for this year."
  "rep|slt|Understood. Are you looking at anyone else?"
  "prospect|rms|We are also evaluating Looker. We want a decision by the end of March."
  "rep|slt|Perfect. I will send a proposal by Friday. What is the best email for you?"
  "prospect|rms|David dot chen at acme logistics dot com. My phone is four one five, five five five, zero one nine two."
  "rep|slt|Thanks David. Let's book a demo next Tuesday with your IT lead."
)
left=(); right=(); t=0
for i in "${!turns[@]}"; do
  IFS='|' read -r role voice text <<<"${turns[$i]}"
  flite -voice "$voice" -t "$text" -o "$work/t$i.wav"
  sox "$work/t$i.wav" -r 8000 -c 1 "$work/s$i.wav" pad 0 0.6
  sox -n -r 8000 -c 1 "$work/z$i.wav" trim 0 "$(soxi -D "$work/s$i.wav")"
  if [ "$role" = rep ]; then left+=("$work/s$i.wav"); right+=("$work/z$i.wav")
  else left+=("$work/z$i.wav"); right+=("$work/s$i.wav"); fi
done
sox "${left[@]}" "$work/left.wav"
sox "${right[@]}" "$work/right.wav"
sox -M "$work/left.wav" "$work/right.wav" -b 16 call.flac
soxi call.flac
