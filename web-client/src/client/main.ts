import { mount } from "svelte";
import App from "./App.svelte";
import "../lib/page.css";

mount(App, { target: document.getElementById("app")! });
